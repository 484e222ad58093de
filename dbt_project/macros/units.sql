{#
    A value in its unit family's canonical unit: value × the unit's factor
    (1 for a unit not in the units seed), multiplied in decimal. In floating
    point 12.3 × 0.0001 is 0.0012300000000000002 and 123000 × 0.00000001 is
    0.00123, so one amount written in two units would not compare equal.
    The value is taken to 8 decimals first (as written, not its binary
    approximation); the exact product is then one double. Values of 10^12
    or more, which no real target has, keep the floating-point product: the
    decimal could overflow.
#}
{% macro to_canonical(value, factor) -%}
    case
        when abs({{ value }}) < 1e12
            then cast(
                cast({{ value }} as decimal(20, 8)) * cast(coalesce({{ factor }}, 1) as decimal(18, 10)) as double
            )
        else {{ value }} * coalesce({{ factor }}, 1)
    end
{%- endmacro %}
