{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per satisfaction rating given in the closed month (P2.4). A rating counts
    for the unit and official of the dossier it rates, as the latest export up to the month
    names them. -#}

with

ratings as (

    select * from {{ ref('stg_one_stop__ratings') }}
    where month_date = {{ close_month() }}

),

dossiers as (

    -- Only the rated dossiers: a national history holds tens of millions of dossier rows.
    select * from {{ ref('stg_one_stop__dossiers') }}
    where
        {{ up_to_close_month() }}
        and dossier_id in (select ratings.dossier_id from ratings)

),

latest_dossiers as (

    select
        dossier_id,
        unit_code,
        official_code

    from dossiers
    qualify row_number() over (partition by dossier_id order by month_date desc) = 1

),

units as (

    select * from {{ ref('dim_unit') }}

),

final as (

    select
        {{ surrogate_key(['ratings.month_date', 'ratings.dossier_id', 'ratings.rated_at']) }}
            as rating_key,
        ratings.month_date,
        ratings.dossier_id,
        ratings.rated_at,
        ratings.rating,
        ratings.has_comment,
        latest_dossiers.unit_code,
        latest_dossiers.official_code,
        ratings.source_file,
        ratings.source_line,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        coalesce(postings.official_posting_key, {{ missing_member_key() }})
            as official_posting_key,
        ratings.rating in ('very_satisfied', 'satisfied') as is_satisfied,
        ratings.rated_at <= {{ cut_off_at() }} as is_given_by_cut_off

    from ratings
    left join latest_dossiers
        on ratings.dossier_id = latest_dossiers.dossier_id
    left join units
        on latest_dossiers.unit_code = units.unit_code
    {{ join_posting(
        'postings',
        'latest_dossiers.official_code',
        'cast(ratings.rated_at as date)'
    ) }}

)

select * from final
