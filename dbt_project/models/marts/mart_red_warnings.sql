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

drafts as (

    select * from {{ ref('int_advisory_drafts__history') }}

),

disbursements as (

    select * from {{ ref('fct_disbursement') }}
    where month_date = {{ close_month() }}

),

bottlenecks as (

    select * from {{ ref('fct_bottleneck_snapshot') }}
    where month_date = {{ close_month() }}

),

dossiers as (

    select * from {{ ref('fct_dossier_snapshot') }}
    where month_date = {{ close_month() }}

),

petitions as (

    select * from {{ ref('fct_petition_snapshot') }}
    where month_date = {{ close_month() }}

),

meetings as (

    select * from {{ ref('fct_meeting') }}
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

r2_drafts_returned_twice as (

    -- R2: returned two or more times, from the month of the second return until approved.
    select
        month_date,
        unit_code,
        official_code,
        source_file,
        source_line,
        advisory_id as record_id,
        'Hồ sơ tham mưu bị trả lại ' || cast(returns_by_cut_off as {{ dbt.type_string() }})
        || ' lần' as record_title,
        days_since_second_return as age_days,
        second_return_date as deadline_date,
        'R2' as warning_code,
        'advisory_draft' as record_type,
        'red' as warning_level
    from drafts
    where returns_by_cut_off >= 2 and approved_date is null

),

r3_projects_without_disbursement as (

    -- R3: red for a quarter that ended at the cut-off with nothing disbursed; watch while a
    -- quarter still runs with nothing disbursed so far.
    select
        month_date,
        investor_unit_code as unit_code,
        cast(null as {{ dbt.type_string() }}) as official_code,
        source_file,
        source_line,
        project_code as record_id,
        project_name as record_title,
        days_into_quarter as age_days,
        quarter_start_date as deadline_date,
        'R3' as warning_code,
        'project' as record_type,
        case when is_quarter_end then 'red' else 'watch' end as warning_level
    from disbursements
    where annual_plan_mvnd > 0 and disbursed_in_quarter_mvnd = 0

),

r4_site_clearance_bottlenecks as (

    select
        month_date,
        unit_code,
        cast(null as {{ dbt.type_string() }}) as official_code,
        source_file,
        source_line,
        bottleneck_id as record_id,
        bottleneck_description as record_title,
        days_overdue as age_days,
        due_date as deadline_date,
        'R4' as warning_code,
        'bottleneck' as record_type,
        case when is_open_past_due then 'red' else 'watch' end as warning_level
    from bottlenecks
    where bottleneck_kind = 'site_clearance' and is_open_at_cut_off

),

r5_land_dossiers as (

    select
        month_date,
        unit_code,
        official_code,
        source_file,
        source_line,
        dossier_id as record_id,
        procedure_name as record_title,
        days_overdue as age_days,
        cast(due_at as date) as deadline_date,
        'R5' as warning_code,
        'dossier' as record_type,
        case when is_open_past_due then 'red' else 'watch' end as warning_level
    from dossiers
    where is_land_record and (is_open_past_due or is_due_within_3_days)

),

r6_dossiers_late_by_the_office as (

    select
        month_date,
        unit_code,
        official_code,
        source_file,
        source_line,
        dossier_id as record_id,
        procedure_name as record_title,
        days_overdue as age_days,
        cast(due_at as date) as deadline_date,
        'R6' as warning_code,
        'dossier' as record_type,
        'red' as warning_level
    from dossiers
    -- Finished late in the month (more than one supplement request is late too), or open at
    -- the cut-off past its due time; an open dossier not yet due is not on R6.
    where
        delay_cause = 'internal'
        and ((is_finished_in_month and coalesce(is_late, false)) or is_open_past_due)

),

r7_harassment_petitions as (

    select
        month_date,
        unit_code,
        official_code,
        source_file,
        source_line,
        petition_id as record_id,
        'Đơn phản ánh nhũng nhiễu, gây phiền hà' as record_title,
        days_overdue as age_days,
        due_date as deadline_date,
        'R7' as warning_code,
        'petition' as record_type,
        case when is_open_past_due then 'red' else 'watch' end as warning_level
    from petitions
    where petition_topic = 'harassment' and is_open_at_cut_off

),

r8_meetings_without_actionable_conclusion as (

    select
        month_date,
        unit_code,
        chair_official_code as official_code,
        source_file,
        source_line,
        meeting_id as record_id,
        meeting_title as record_title,
        days_since_meeting as age_days,
        meeting_date as deadline_date,
        'R8' as warning_code,
        'meeting' as record_type,
        'red' as warning_level
    from meetings
    where is_held_in_month and not has_actionable_conclusion

),

warnings as (

    select * from r1_tasks_overdue
    union all
    select * from r2_drafts_returned_twice
    union all
    select * from r3_projects_without_disbursement
    union all
    select * from r4_site_clearance_bottlenecks
    union all
    select * from r5_land_dossiers
    union all
    select * from r6_dossiers_late_by_the_office
    union all
    select * from r7_harassment_petitions
    union all
    select * from r8_meetings_without_actionable_conclusion

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
        -- A unit merged or dissolved before the month hands its records to its successor.
        coalesce(successors.unit_code, warnings.unit_code) as unit_code,
        coalesce(successors.unit_name, units.unit_name) as unit_name,
        warnings.unit_code as recorded_unit_code,
        warnings.official_code,
        warnings.age_days,
        warnings.deadline_date,
        warnings.source_file,
        warnings.source_line

    from warnings
    left join units
        on warnings.unit_code = units.unit_code
    left join units as successors
        on
            warnings.month_date >= units.valid_to_date
            and units.rollup_unit_code = successors.unit_code

)

select * from final
