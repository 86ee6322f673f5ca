{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per incoming official document open during the closed month, with its
    answer state at the cut-off (P3.1). -#}

with

documents as (

    select * from {{ ref('stg_dms__incoming_documents') }}
    where month_date = {{ close_month() }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

at_cut_off as (

    select
        *,
        {{ cut_off_date() }} as cut_off_date,
        case
            when responded_date <= {{ cut_off_date() }} then responded_date
        end as responded_date_at_cut_off

    from documents

),

final as (

    select
        {{ surrogate_key(['at_cut_off.month_date', 'at_cut_off.incoming_id']) }}
            as incoming_document_snapshot_key,
        at_cut_off.month_date,
        at_cut_off.incoming_id,
        at_cut_off.document_ref,
        at_cut_off.issuer,
        at_cut_off.urgency,
        at_cut_off.unit_code,
        at_cut_off.official_code,
        at_cut_off.received_date,
        at_cut_off.response_due_date,
        at_cut_off.responded_date,
        at_cut_off.responded_date_at_cut_off,
        at_cut_off.source_file,
        at_cut_off.source_line,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        coalesce(postings.official_posting_key, {{ missing_member_key() }})
            as official_posting_key,
        coalesce(at_cut_off.responded_date_at_cut_off >= at_cut_off.month_date, false)
            as is_answered_in_month,
        coalesce(at_cut_off.responded_date_at_cut_off <= at_cut_off.response_due_date, true)
            as is_answered_by_deadline,
        at_cut_off.responded_date_at_cut_off is null
        and coalesce(at_cut_off.response_due_date < at_cut_off.cut_off_date, false)
            as is_open_past_due

    from at_cut_off
    left join units
        on at_cut_off.unit_code = units.unit_code
    {{ join_posting('postings', 'at_cut_off.official_code', 'at_cut_off.cut_off_date') }}

)

select * from final
