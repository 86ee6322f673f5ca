{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per review round of an advisory draft submitted or decided in the closed
    month, with what the draft's whole history says at the cut-off. -#}

with

rounds as (

    select * from {{ ref('stg_dms__advisory_rounds') }}
    where month_date = {{ close_month() }}

),

drafts as (

    select * from {{ ref('int_advisory_drafts__history') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

final as (

    select
        {{ surrogate_key(['rounds.month_date', 'rounds.advisory_id', 'rounds.round_no']) }}
            as advisory_review_key,
        rounds.month_date,
        rounds.advisory_id,
        rounds.round_no,
        rounds.task_id,
        rounds.unit_code,
        rounds.official_code,
        rounds.submitted_date,
        rounds.decided_date,
        rounds.outcome,
        rounds.return_reason,
        drafts.returns_by_cut_off as draft_returns_by_cut_off,
        drafts.approved_date as draft_approved_date,
        rounds.source_file,
        rounds.source_line,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        coalesce(postings.official_posting_key, {{ missing_member_key() }})
            as official_posting_key,
        case
            when rounds.decided_date <= {{ cut_off_date() }} then rounds.outcome else 'pending'
        end as outcome_at_cut_off

    from rounds
    left join drafts
        on rounds.advisory_id = drafts.advisory_id
    left join units
        on rounds.unit_code = units.unit_code
    {{ join_posting('postings', 'rounds.official_code', 'rounds.submitted_date') }}

)

select * from final
