{#
    A value in its unit family's canonical unit: value × the unit's factor
    (1 for a unit not in the units seed), rounded to 8 decimals. Unrounded,
    the same amount written in two units need not compare equal: 12.3 × 0.0001
    is 0.0012300000000000002 in floating point, 123000 × 0.00000001 is 0.00123.
    8 decimals keep 1 元 in 亿元 and 1 人 in 万人.
#}
{% macro to_canonical(value, factor) -%}
    round({{ value }} * coalesce({{ factor }}, 1), 8)
{%- endmacro %}
