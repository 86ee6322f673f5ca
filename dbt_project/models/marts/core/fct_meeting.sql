{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per meeting held in the closed month, with how many of its conclusion items
    were recorded and actionable by the cut-off (P3.4, R8). -#}

with

meetings as (

    select * from {{ ref('stg_dms__meetings') }}
    where month_date = {{ close_month() }}

),

items as (

    select * from {{ ref('fct_conclusion_item') }}
    where month_date = {{ close_month() }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

counted as (

    select
        meeting_id,
        count(*) as conclusion_items,
        {{ count_where('is_actionable') }} as actionable_items

    from items
    group by meeting_id

),

final as (

    select
        {{ surrogate_key(['meetings.month_date', 'meetings.meeting_id']) }} as meeting_key,
        meetings.month_date,
        meetings.meeting_id,
        meetings.meeting_title,
        meetings.meeting_date,
        meetings.unit_code,
        meetings.chair_official_code,
        meetings.conclusion_notice,
        meetings.source_file,
        meetings.source_line,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        coalesce(postings.official_posting_key, {{ missing_member_key() }})
            as official_posting_key,
        coalesce(counted.conclusion_items, 0) as conclusion_items,
        coalesce(counted.actionable_items, 0) as actionable_items,
        coalesce(counted.actionable_items, 0) > 0 as has_actionable_conclusion,
        meetings.meeting_date between meetings.month_date and {{ cut_off_date() }}
            as is_held_in_month,
        {{ dbt.datediff('meetings.meeting_date', cut_off_date(), 'day') }}
            as days_since_meeting

    from meetings
    left join units
        on meetings.unit_code = units.unit_code
    left join counted
        on meetings.meeting_id = counted.meeting_id
    {{ join_posting('postings', 'meetings.chair_official_code', 'meetings.meeting_date') }}

)

select * from final
