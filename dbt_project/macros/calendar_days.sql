{#- One row per calendar day between two dates (inclusive), as `calendar_date`.
    Engine-specific: each adapter spells a series differently. -#}
{% macro calendar_days(start_date, end_date) -%}
    {{ return(adapter.dispatch('calendar_days', 'kpi')(start_date, end_date)) }}
{%- endmacro %}

{% macro duckdb__calendar_days(start_date, end_date) -%}
    select cast(day as date) as calendar_date
    from range(cast('{{ start_date }}' as date), cast('{{ end_date }}' as date) + 1, interval 1 day)
        as days (day)
{%- endmacro %}

{% macro default__calendar_days(start_date, end_date) -%}
    {{ exceptions.raise_compiler_error("calendar_days has no implementation for " ~ target.type) }}
{%- endmacro %}
