{#- A double-precision float: dbt's type_float is single precision on some engines. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'kpi')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}
