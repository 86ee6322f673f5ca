{#- The month being closed (YYYY-MM), from the `close_month` variable or, when that is not
    set, from KPI_CLOSE_MONTH, as the close passes it. The environment is read only while
    models execute, never while dbt parses: a month given as a variable or read at parse time
    would make every close parse the whole project again (seconds of a province's close). -#}
{% macro close_month() -%}
    {%- set month = var('close_month') -%}
    {%- if month is none and execute -%}
        {%- set month = env_var('KPI_CLOSE_MONTH', '') or none -%}
    {%- endif -%}
    {%- if month is none -%}
        {%- if execute and flags.WHICH in ('run', 'build', 'test', 'seed') -%}
            {{ exceptions.raise_compiler_error(
                "Set the month to close: --vars '{close_month: 2026-03}' or KPI_CLOSE_MONTH") }}
        {%- endif -%}
        {%- set month = '2000-01' -%}
    {%- endif -%}
    cast('{{ month }}-01' as date)
{%- endmacro %}

{#- The last calendar day of the month: the cut-off is 23:59:59 local time on that day. -#}
{% macro cut_off_date() -%}
    cast({{ dbt.last_day(close_month(), 'month') }} as date)
{%- endmacro %}

{#- An incremental model replaces the closed month only: its rows are deleted, then rebuilt. -#}
{% macro delete_close_month(month_column='month_date') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ month_column }} = {{ close_month() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The cut-off as a timestamp: 23:59:59 local time on the month's last day. -#}
{% macro cut_off_at() -%}
    {{ dbt.dateadd('second', 86399, 'cast(' ~ cut_off_date() ~ ' as timestamp)') }}
{%- endmacro %}

{#- Rows of a staging model up to and including the closed month: the history a figure may
    look back on, the same whichever order months are closed in. -#}
{% macro up_to_close_month(month_column='month_date') -%}
    {{ month_column }} <= {{ close_month() }}
{%- endmacro %}
