{#- The month being closed and its cut-off, from the `close_month` variable (YYYY-MM). -#}
{% macro close_month() -%}
    {%- set month = var('close_month') -%}
    {%- if month is none -%}
        {%- if execute and flags.WHICH in ('run', 'build', 'test', 'seed') -%}
            {{ exceptions.raise_compiler_error("Set the variable close_month, e.g. 2026-03") }}
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
