{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per administrative procedure dossier open during the closed month, with
    its state at the cut-off and the flags of P1.4, P2.3, P2.5, P3.5, R5 and R6. -#}

with

dossiers as (

    select * from {{ ref('stg_one_stop__dossiers') }}
    where month_date = {{ close_month() }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

at_cut_off as (

    select
        *,
        {{ cut_off_at() }} as cut_off_at,
        -- A result dated after the cut-off is a late edit: at the cut-off the dossier is open.
        case when finished_at <= {{ cut_off_at() }} then finished_at end as finished_at_cut_off,
        coalesce(finished_at > {{ cut_off_at() }}, false) as is_late_edit,
        dossier_status = 'withdrawn' as is_withdrawn,
        coalesce(procedure_domain = 'Đất đai', false) as is_land_record,
        coalesce(supplement_requests, 0) > 1 as has_repeated_supplements

    from dossiers

),

flagged as (

    select
        *,
        finished_at_cut_off >= cast(month_date as timestamp) as is_finished_in_month,
        finished_at_cut_off is null and not is_withdrawn as is_open_at_cut_off,
        received_at >= cast(month_date as timestamp) and received_at <= cut_off_at
            as is_received_in_month

    from at_cut_off

),

classified as (

    select
        *,
        -- P1.4: more than one supplement request makes a dossier late whatever its dates.
        case
            when is_withdrawn then null
            when coalesce(is_finished_in_month, false)
                then has_repeated_supplements or finished_at_cut_off > due_at
            when is_open_at_cut_off
                then has_repeated_supplements or due_at < cut_off_at
        end as is_late,
        is_open_at_cut_off and due_at < cut_off_at as is_open_past_due,
        is_open_at_cut_off and due_at >= cut_off_at
        and due_at <= {{ dbt.dateadd('day', 3, 'cut_off_at') }} as is_due_within_3_days,
        case
            when is_open_at_cut_off and due_at < cut_off_at
                then {{ dbt.datediff('due_at', 'cut_off_at', 'day') }}
            when
                coalesce(is_finished_in_month, false)
                and not is_withdrawn
                and finished_at_cut_off > due_at
                then {{ dbt.datediff('due_at', 'finished_at_cut_off', 'day') }}
            else 0
        end as days_overdue,
        case
            when coalesce(is_finished_in_month, false) then
                {{ dbt.datediff('received_at', 'finished_at_cut_off', 'second') }}
        end / 86400.0 as processing_days

    from flagged

),

final as (

    select
        {{ surrogate_key(['classified.month_date', 'classified.dossier_id']) }}
            as dossier_snapshot_key,
        classified.month_date,
        classified.dossier_id,
        classified.procedure_code,
        classified.procedure_name,
        classified.procedure_domain,
        classified.unit_code,
        classified.official_code,
        classified.submission_channel,
        classified.received_at,
        classified.due_at,
        classified.finished_at,
        classified.finished_at_cut_off,
        classified.dossier_status,
        classified.supplement_requests,
        classified.delay_cause,
        classified.is_apology_issued,
        classified.is_late_edit,
        classified.is_withdrawn,
        classified.is_land_record,
        classified.has_repeated_supplements,
        classified.is_open_at_cut_off,
        classified.is_late,
        classified.is_open_past_due,
        classified.is_due_within_3_days,
        classified.days_overdue,
        classified.processing_days,
        classified.source_file,
        classified.source_line,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        coalesce(postings.official_posting_key, {{ missing_member_key() }})
            as official_posting_key,
        coalesce(classified.is_finished_in_month, false) as is_finished_in_month,
        coalesce(classified.is_received_in_month, false) as is_received_in_month

    from classified
    left join units
        on classified.unit_code = units.unit_code
    {{ join_posting(
        'postings',
        'classified.official_code',
        'cast(classified.cut_off_at as date)'
    ) }}

)

select * from final
