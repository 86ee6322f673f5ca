{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per citizen reception session scheduled in the closed month (P3.2). A
    session counts as held when a held date is recorded, even on another day. -#}

with

sessions as (

    select * from {{ ref('stg_petitions__reception_sessions') }}
    where month_date = {{ close_month() }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

final as (

    select
        {{ surrogate_key(['sessions.month_date', 'sessions.session_id']) }}
            as reception_session_key,
        sessions.month_date,
        sessions.session_id,
        sessions.unit_code,
        sessions.official_code,
        sessions.scheduled_date,
        sessions.held_date,
        sessions.citizens_received,
        sessions.source_file,
        sessions.source_line,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        coalesce(postings.official_posting_key, {{ missing_member_key() }})
            as official_posting_key,
        coalesce(sessions.held_date <= {{ cut_off_date() }}, false) as is_held

    from sessions
    left join units
        on sessions.unit_code = units.unit_code
    {{ join_posting('postings', 'sessions.official_code', 'sessions.scheduled_date') }}

)

select * from final
