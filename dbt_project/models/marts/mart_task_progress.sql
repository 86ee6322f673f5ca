{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- The monthly task view: per month and entity (province, unit, official), how many tasks
    move forward, are slow, stuck or paused at the cut-off. -#}

with

tasks as (

    select * from {{ ref('fct_task_snapshot') }}
    where month_date = {{ close_month() }} and is_counted

),

units as (

    select * from {{ ref('dim_unit') }}

),

officials as (

    select distinct
        official_code,
        official_name
    from {{ ref('dim_official') }}

),

by_entity as (

    select
        month_date,
        task_class,
        'province' as entity_type,
        'province' as entity_code
    from tasks
    union all
    select
        month_date,
        task_class,
        'unit' as entity_type,
        unit_code as entity_code
    from tasks
    union all
    select
        month_date,
        task_class,
        'official' as entity_type,
        official_code as entity_code
    from tasks
    where official_code is not null

),

counted as (

    select
        month_date,
        entity_type,
        entity_code,
        count(*) as tasks_total,
        {{ count_where("task_class = 'done_on_time'") }} as tasks_done_on_time,
        {{ count_where("task_class = 'done_late'") }} as tasks_done_late,
        {{ count_where("task_class = 'on_track'") }} as tasks_on_track,
        {{ count_where("task_class = 'slow'") }} as tasks_slow,
        {{ count_where("task_class = 'stuck'") }} as tasks_stuck,
        {{ count_where("task_class = 'paused'") }} as tasks_paused

    from by_entity
    group by month_date, entity_type, entity_code

),

final as (

    select
        counted.month_date,
        counted.entity_type,
        counted.entity_code,
        counted.tasks_total,
        counted.tasks_done_on_time,
        counted.tasks_done_late,
        counted.tasks_on_track,
        counted.tasks_slow,
        counted.tasks_stuck,
        counted.tasks_paused,
        case counted.entity_type
            when 'province' then 'Toàn tỉnh (province)'
            when 'unit' then units.unit_name
            else officials.official_name
        end as entity_name,
        counted.tasks_done_on_time + counted.tasks_done_late + counted.tasks_on_track
            as tasks_moving_forward

    from counted
    left join units
        on counted.entity_type = 'unit' and counted.entity_code = units.unit_code
    left join officials
        on counted.entity_type = 'official' and counted.entity_code = officials.official_code

)

select * from final
