{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per petition open during the closed month, its state at the cut-off, and no
    personal data (P3.3, R7). Forwarded and filed petitions are resolved on their date. -#}

with

petitions as (

    select * from {{ ref('stg_petitions__petitions') }}
    where month_date = {{ close_month() }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

at_cut_off as (

    select
        *,
        {{ cut_off_date() }} as cut_off_date,
        case when resolved_date <= {{ cut_off_date() }} then resolved_date end
            as resolved_date_at_cut_off

    from petitions

),

final as (

    select
        {{ surrogate_key(['at_cut_off.month_date', 'at_cut_off.petition_id']) }}
            as petition_snapshot_key,
        at_cut_off.month_date,
        at_cut_off.petition_id,
        at_cut_off.petitioner_hash,
        at_cut_off.petition_kind,
        at_cut_off.petition_topic,
        at_cut_off.petition_status,
        at_cut_off.unit_code,
        at_cut_off.official_code,
        at_cut_off.received_date,
        at_cut_off.due_date,
        at_cut_off.resolved_date,
        at_cut_off.resolved_date_at_cut_off,
        at_cut_off.source_file,
        at_cut_off.source_line,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        coalesce(postings.official_posting_key, {{ missing_member_key() }})
            as official_posting_key,
        coalesce(at_cut_off.resolved_date_at_cut_off >= at_cut_off.month_date, false)
            as is_resolved_in_month,
        coalesce(at_cut_off.resolved_date_at_cut_off <= at_cut_off.due_date, true)
            as is_resolved_by_deadline,
        at_cut_off.resolved_date_at_cut_off is null as is_open_at_cut_off,
        at_cut_off.resolved_date_at_cut_off is null
        and coalesce(at_cut_off.due_date < at_cut_off.cut_off_date, false) as is_open_past_due,
        case
            when at_cut_off.resolved_date_at_cut_off is null
                and at_cut_off.due_date < at_cut_off.cut_off_date
                then {{ dbt.datediff('at_cut_off.due_date', 'at_cut_off.cut_off_date', 'day') }}
            else 0
        end as days_overdue

    from at_cut_off
    left join units
        on at_cut_off.unit_code = units.unit_code
    {{ join_posting('postings', 'at_cut_off.official_code', 'at_cut_off.cut_off_date') }}

)

select * from final
