{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per record behind a red warning in the closed month, `red` or `watch`,
    with the responsible unit and official, its age and the source row it came from. -#}

with

tasks as (

    select * from {{ ref('fct_task_snapshot') }}
    where month_date = {{ close_month() }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

r1_tasks_overdue as (

    -- R1: red when open more than 30 days past the effective deadline; watch at 1-30 days.
    select
        month_date,
        unit_code,
        official_code,
        source_file,
        source_line,
        task_id as record_id,
        task_title as record_title,
        days_overdue as age_days,
        effective_due_date as deadline_date,
        'R1' as warning_code,
        'task' as record_type,
        case task_class when 'stuck' then 'red' else 'watch' end as warning_level

    from tasks
    where task_class in ('slow', 'stuck')

),

warnings as (

    select * from r1_tasks_overdue

),

final as (

    select
        {{ surrogate_key(['warnings.month_date', 'warnings.warning_code', 'warnings.record_id']) }}
            as red_warning_key,
        warnings.month_date,
        warnings.warning_code,
        warnings.warning_level,
        warnings.record_type,
        warnings.record_id,
        warnings.record_title,
        warnings.unit_code,
        units.unit_name,
        warnings.official_code,
        warnings.age_days,
        warnings.deadline_date,
        warnings.source_file,
        warnings.source_line

    from warnings
    left join units
        on warnings.unit_code = units.unit_code

)

select * from final
