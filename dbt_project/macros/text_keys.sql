{#- Matching keys for names written in many ways: drop spaces, quotes and
    brackets, fold full-width parentheses and Latin case. Used to compare
    extracted indicator strings with the synonym seed and event names with
    each other. -#}
{% macro text_key(expression) -%}
    lower(regexp_replace(
        replace(replace({{ expression }}, '（', '('), '）', ')'),
        '[\s“”"‘’''《》〈〉「」『』·•]', '', 'g'
    ))
{%- endmacro %}

{#- Short hash key (16 hex digits) of one or more expressions, nulls as ''. -#}
{% macro short_key(expressions) -%}
    left(md5(concat_ws('|'
    {%- for e in expressions -%}
        , coalesce(cast({{ e }} as varchar), '')
    {%- endfor -%}
    )), 16)
{%- endmacro %}
