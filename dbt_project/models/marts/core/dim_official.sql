{#- Postings of officials over time: one row per official and posting, as the latest closed
    month's register describes it. A fact takes the posting valid on its event date. -#}

with

postings as (

    select * from {{ ref('stg_hr__postings') }}

),

latest as (

    select *
    from postings
    qualify
        row_number() over (
            partition by official_code, posting_start_date order by month_date desc
        ) = 1

),

known as (

    select
        {{ surrogate_key(['official_code', 'posting_start_date']) }} as official_posting_key,
        official_code,
        official_name,
        unit_code,
        position_title,
        posting_start_date,
        posting_end_date,
        coalesce(posting_end_date, cast('9999-12-31' as date)) as posting_valid_to_date,
        posting_end_date is null as is_current_posting,
        month_date as described_in_month_date

    from latest

),

missing_member as (

    select
        {{ missing_member_key() }} as official_posting_key,
        '#missing' as official_code,
        'Không xác định (unknown official)' as official_name,
        '#missing' as unit_code,
        cast(null as {{ dbt.type_string() }}) as position_title,
        cast(null as date) as posting_start_date,
        cast(null as date) as posting_end_date,
        cast('9999-12-31' as date) as posting_valid_to_date,
        false as is_current_posting,
        cast(null as date) as described_in_month_date

),

final as (

    select * from known
    union all
    select * from missing_member

)

select * from final
