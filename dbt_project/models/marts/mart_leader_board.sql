{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- The table a leader reads first. Grain: one row per unit and closed month: overall and pillar
    scores, grade, rank among the graded units, red and watch records, and the trend of the
    overall score against the average of the three months before. -#}

with

scores as (

    -- Records naming no known unit are kept in the figures but are nobody to rank.
    select * from {{ ref('mart_pillar_scores') }}
    where entity_type = 'unit' and entity_code != '#missing'

),

active_units as (

    select unit_code from {{ ref('stg_hr__units') }}
    where
        month_date = {{ close_month() }}
        and (valid_to_date is null or valid_to_date > {{ close_month() }})

),

this_month as (

    -- Only units active in the month are ranked; a dissolved one's records went to its
    -- successor.
    select scores.* from scores
    inner join active_units
        on scores.entity_code = active_units.unit_code
    where scores.month_date = {{ close_month() }}

),

earlier as (

    select
        entity_code,
        avg(overall_score) as previous_three_months_score,
        count(*) as previous_months_scored

    from scores
    where
        month_date < {{ close_month() }}
        and month_date >= cast({{ dbt.dateadd('month', -3, close_month()) }} as date)
        and overall_score is not null
    group by entity_code

),

warnings as (

    select * from {{ ref('mart_red_warning_summary') }}
    where month_date = {{ close_month() }} and entity_type = 'unit'

),

warning_counts as (

    select
        entity_code,
        cast(sum(red_records) as bigint) as red_warnings,
        cast(sum(watch_records) as bigint) as watch_warnings

    from warnings
    group by entity_code

),

final as (

    select
        this_month.month_date,
        this_month.entity_code as unit_code,
        this_month.entity_name as unit_name,
        this_month.overall_score,
        this_month.pillar_1_score,
        this_month.pillar_2_score,
        this_month.pillar_3_score,
        this_month.grade_code,
        this_month.grade_name_vi,
        this_month.is_capped_by_red_warning,
        earlier.previous_three_months_score,
        coalesce(warning_counts.red_warnings, 0) as red_warnings,
        coalesce(warning_counts.watch_warnings, 0) as watch_warnings,
        case
            when this_month.overall_score is not null
                then rank() over (order by this_month.overall_score desc nulls last)
        end as overall_rank,
        this_month.overall_score - earlier.previous_three_months_score as trend_vs_previous_3

    from this_month
    left join earlier
        on this_month.entity_code = earlier.entity_code
    left join warning_counts
        on this_month.entity_code = warning_counts.entity_code

)

select * from final
