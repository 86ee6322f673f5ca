{{ config(materialized='view') }}

{#- Each task of the closed month, with its class at the cut-off (INDICATORS.md, task view). -#}

with

tasks as (

    select * from {{ ref('stg_dms__tasks') }}
    where month_date = {{ close_month() }}

),

at_cut_off as (

    select
        *,
        {{ cut_off_date() }} as cut_off_date,
        coalesce(extended_due_date, due_date) as effective_due_date,
        -- A completion dated after the cut-off is a late edit: at the cut-off the task is open.
        case
            when completed_date <= {{ cut_off_date() }} then completed_date
        end as completed_date_at_cut_off,
        coalesce(completed_date > {{ cut_off_date() }}, false) as is_late_edit,
        {{ dbt.datediff('coalesce(extended_due_date, due_date)', cut_off_date(), 'day') }}
            as days_past_deadline

    from tasks

),

classified as (

    select
        *,
        case
            when
                completed_date_at_cut_off is null
                and task_status != 'cancelled'
                and days_past_deadline > 0
                then days_past_deadline
            else 0
        end as days_overdue,
        case
            when task_status = 'cancelled' then 'cancelled'
            when task_status = 'paused' then 'paused'
            when completed_date_at_cut_off < month_date then 'finished_before_month'
            when completed_date_at_cut_off is not null
                and (effective_due_date is null or completed_date_at_cut_off <= effective_due_date)
                then 'done_on_time'
            when completed_date_at_cut_off is not null then 'done_late'
            when effective_due_date is null or effective_due_date >= cut_off_date
                then 'on_track'
            when days_past_deadline <= 30 then 'slow'
            else 'stuck'
        end as task_class

    from at_cut_off

)

select * from classified
