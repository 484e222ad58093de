{#- DuckDB names a database after its file (build.duckdb -> "build") and a view
    that says "build"."raw"."documents" breaks once the file is published under
    another name or ATTACHed with an alias. Rendering ref()/source() without the
    database keeps every view portable; DuckDB binds the schema-qualified name
    inside the view's own catalog. -#}
{% macro ref() -%}
    {%- do return(builtins.ref(*varargs, **kwargs).include(database=false)) -%}
{%- endmacro %}

{% macro source() -%}
    {%- do return(builtins.source(*varargs, **kwargs).include(database=false)) -%}
{%- endmacro %}
