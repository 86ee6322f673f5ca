{{ config(materialized='table') }}

{#- Every record behind every indicator of the closed month, with what it adds to the
    indicator's numerator and denominator and the unit and official its own row names.
    A table, built once per close: the marts and a dozen tests read it, and a view would list
    a national month's records again for each of them. -#}

with

tasks as (

    select * from {{ ref('fct_task_snapshot') }}
    where month_date = {{ close_month() }} and is_counted and task_class != 'paused'

),

drafts as (

    select * from {{ ref('int_advisory_drafts__history') }}
    where decisions_in_month > 0

),

dossiers as (

    select * from {{ ref('fct_dossier_snapshot') }}
    where month_date = {{ close_month() }}

),

dossiers_due as (

    -- P1.4 counts dossiers finished in the month or open at the cut-off, withdrawn ones left out.
    select * from dossiers
    where not is_withdrawn and (is_finished_in_month or is_open_at_cut_off)

),

disbursements as (

    select * from {{ ref('fct_disbursement') }}
    where month_date = {{ close_month() }} and annual_plan_mvnd > 0

),

bottlenecks as (

    select * from {{ ref('fct_bottleneck_snapshot') }}
    where month_date = {{ close_month() }} and (is_resolved_in_month or is_open_past_due)

),

clearance as (

    select * from {{ ref('fct_clearance_progress') }}
    where month_date = {{ close_month() }} and area_required_m2 > 0

),

ratings as (

    select * from {{ ref('fct_rating') }}
    where month_date = {{ close_month() }} and is_given_by_cut_off

),

documents as (

    select * from {{ ref('fct_incoming_document_snapshot') }}
    where month_date = {{ close_month() }} and (is_answered_in_month or is_open_past_due)

),

sessions as (

    select * from {{ ref('fct_reception_session') }}
    where month_date = {{ close_month() }}

),

petitions as (

    select * from {{ ref('fct_petition_snapshot') }}
    where month_date = {{ close_month() }} and (is_resolved_in_month or is_open_past_due)

),

meetings as (

    select * from {{ ref('fct_meeting') }}
    where month_date = {{ close_month() }} and is_held_in_month

),

records as (

    select
        'P1.1' as indicator_code,
        unit_code,
        official_code,
        'task' as record_type,
        task_id as record_id,
        source_file,
        source_line,
        case when task_class = 'done_on_time' then 1 else 0 end as numerator,
        1 as denominator
    from tasks
    where task_class in ('done_on_time', 'done_late', 'slow', 'stuck')

    union all

    select
        'P1.2' as indicator_code,
        unit_code,
        official_code,
        'task' as record_type,
        task_id as record_id,
        source_file,
        source_line,
        case when task_class in ('slow', 'stuck') then 1 else 0 end as numerator,
        1 as denominator
    from tasks
    where task_class in ('on_track', 'slow', 'stuck')

    union all

    select
        'P1.3' as indicator_code,
        unit_code,
        official_code,
        'advisory_draft' as record_type,
        advisory_id as record_id,
        source_file,
        source_line,
        case when approvals_in_month > 0 and returns_by_cut_off = 0 then 1 else 0 end
            as numerator,
        1 as denominator
    from drafts

    union all

    select
        'P1.4' as indicator_code,
        unit_code,
        official_code,
        'dossier' as record_type,
        dossier_id as record_id,
        source_file,
        source_line,
        case when is_late then 0 else 1 end as numerator,
        1 as denominator
    from dossiers_due

    union all

    select
        'P1.5' as indicator_code,
        investor_unit_code as unit_code,
        cast(null as {{ dbt.type_string() }}) as official_code,
        'project' as record_type,
        project_code as record_id,
        source_file,
        source_line,
        disbursed_ytd_mvnd as numerator,
        planned_to_date_mvnd as denominator
    from disbursements

    union all

    select
        'P2.1' as indicator_code,
        unit_code,
        cast(null as {{ dbt.type_string() }}) as official_code,
        'bottleneck' as record_type,
        bottleneck_id as record_id,
        source_file,
        source_line,
        case when is_resolved_in_month and is_resolved_by_deadline then 1 else 0 end
            as numerator,
        1 as denominator
    from bottlenecks

    union all

    select
        'P2.2' as indicator_code,
        investor_unit_code as unit_code,
        cast(null as {{ dbt.type_string() }}) as official_code,
        'project' as record_type,
        project_code as record_id,
        source_file,
        source_line,
        area_handed_over_m2 as numerator,
        area_required_m2 as denominator
    from clearance

    union all

    select
        'P2.3' as indicator_code,
        unit_code,
        official_code,
        'dossier' as record_type,
        dossier_id as record_id,
        source_file,
        source_line,
        case when is_late then 0 else 1 end as numerator,
        1 as denominator
    from dossiers_due
    where is_land_record

    union all

    select
        'P2.4' as indicator_code,
        unit_code,
        official_code,
        'rating' as record_type,
        dossier_id as record_id,
        source_file,
        source_line,
        case when is_satisfied then 1 else 0 end as numerator,
        1 as denominator
    from ratings

    union all

    select
        'P2.5' as indicator_code,
        unit_code,
        official_code,
        'dossier' as record_type,
        dossier_id as record_id,
        source_file,
        source_line,
        case when submission_channel = 'online' then 1 else 0 end as numerator,
        1 as denominator
    from dossiers
    where is_received_in_month

    union all

    select
        'P3.1' as indicator_code,
        unit_code,
        official_code,
        'incoming_document' as record_type,
        incoming_id as record_id,
        source_file,
        source_line,
        case when is_answered_in_month and is_answered_by_deadline then 1 else 0 end
            as numerator,
        1 as denominator
    from documents

    union all

    select
        'P3.2' as indicator_code,
        unit_code,
        official_code,
        'reception_session' as record_type,
        session_id as record_id,
        source_file,
        source_line,
        case when is_held then 1 else 0 end as numerator,
        1 as denominator
    from sessions

    union all

    select
        'P3.3' as indicator_code,
        unit_code,
        official_code,
        'petition' as record_type,
        petition_id as record_id,
        source_file,
        source_line,
        case when is_resolved_in_month and is_resolved_by_deadline then 1 else 0 end
            as numerator,
        1 as denominator
    from petitions

    union all

    select
        'P3.4' as indicator_code,
        unit_code,
        chair_official_code as official_code,
        'meeting' as record_type,
        meeting_id as record_id,
        source_file,
        source_line,
        case when has_actionable_conclusion then 1 else 0 end as numerator,
        1 as denominator
    from meetings

    union all

    select
        'P3.5' as indicator_code,
        unit_code,
        official_code,
        'dossier' as record_type,
        dossier_id as record_id,
        source_file,
        source_line,
        case when is_apology_issued then 1 else 0 end as numerator,
        1 as denominator
    from dossiers_due
    where is_late

),

final as (

    select
        indicator_code,
        official_code,
        record_type,
        record_id,
        source_file,
        source_line,
        {{ close_month() }} as month_date,
        -- A rating of a dossier that was quarantined, or a project missing from the treasury
        -- report, counts for the missing member: the province total still holds it.
        coalesce(unit_code, '#missing') as unit_code,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator

    from records

)

select * from final
