{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per task open during the closed month, with its state and class at the
    cut-off. Cancelled tasks are kept for tracing but leave every figure. -#}

with

tasks as (

    select * from {{ ref('int_tasks__classified') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

postings as (

    select * from {{ ref('dim_official') }}

),

final as (

    select
        {{ surrogate_key(['tasks.month_date', 'tasks.task_id']) }} as task_snapshot_key,
        tasks.month_date,
        tasks.cut_off_date,
        tasks.task_id,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        coalesce(postings.official_posting_key, {{ missing_member_key() }})
            as official_posting_key,
        tasks.unit_code,
        tasks.official_code,
        tasks.task_title,
        tasks.source_document,
        tasks.meeting_id,
        tasks.task_status,
        tasks.progress_pct,
        tasks.assigned_date,
        tasks.due_date,
        tasks.extended_due_date,
        tasks.effective_due_date,
        tasks.completed_date,
        tasks.completed_date_at_cut_off,
        tasks.is_late_edit,
        tasks.days_overdue,
        tasks.task_class,
        tasks.task_class in ('done_on_time', 'done_late', 'on_track') as is_moving_forward,
        tasks.task_class not in ('cancelled', 'finished_before_month') as is_counted,
        tasks.source_file,
        tasks.source_line

    from tasks
    left join units
        on tasks.unit_code = units.unit_code
    -- The official's posting at the cut-off: postings of one official never overlap.
    left join postings
        on
            tasks.official_code = postings.official_code
            and tasks.cut_off_date between postings.posting_start_date
            and postings.posting_valid_to_date

)

select * from final
