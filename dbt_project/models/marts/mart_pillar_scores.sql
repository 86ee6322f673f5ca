{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per closed month and entity (province, unit, official): the three pillar
    scores, the overall score, the grade of the four civil-service levels, whether a red
    warning capped it below excellent, and which indicators were used or not applicable. -#}

with

values_of_month as (

    -- Records of no known unit stay in the indicator values (the province holds them) but
    -- the missing member is nobody to grade.
    select * from {{ ref('mart_indicator_values') }}
    where month_date = {{ close_month() }} and entity_code != '#missing'

),

pillars as (

    select * from {{ ref('pillar_catalogue') }}

),

grades as (

    select * from {{ ref('grade_scale') }}

),

settings as (

    select lower(value) = 'true' as red_warning_blocks_excellent
    from {{ ref('catalogue_settings') }}
    where setting = 'red_warning_blocks_excellent'

),

warnings as (

    select * from {{ ref('mart_red_warnings') }}
    where month_date = {{ close_month() }} and warning_level = 'red'

),

red_counts as (

    select
        'province' as entity_type,
        'province' as entity_code,
        count(*) as red_warnings
    from warnings
    union all
    select
        'unit' as entity_type,
        unit_code as entity_code,
        count(*) as red_warnings
    from warnings
    group by unit_code
    union all
    select
        'official' as entity_type,
        official_code as entity_code,
        count(*) as red_warnings
    from warnings
    where official_code is not null
    group by official_code

),

pillar_level as (

    select
        values_of_month.entity_type,
        values_of_month.entity_code,
        values_of_month.pillar_code,
        pillars.weight as pillar_weight,
        -- Rounded far below what anyone reads, so that the order rows are summed in (which
        -- differs when months are closed in another order) never changes a published digit.
        round(
            sum(values_of_month.score * values_of_month.indicator_weight)
            / nullif(sum(
                case
                    when values_of_month.is_applicable then values_of_month.indicator_weight
                end
            ), 0),
            9
        ) as pillar_score

    from values_of_month
    inner join pillars
        on values_of_month.pillar_code = pillars.pillar_code
    group by
        values_of_month.entity_type,
        values_of_month.entity_code,
        values_of_month.pillar_code,
        pillars.weight

),

entity_level as (

    select
        entity_type,
        entity_code,
        max(case when pillar_code = 'P1' then pillar_score end) as pillar_1_score,
        max(case when pillar_code = 'P2' then pillar_score end) as pillar_2_score,
        max(case when pillar_code = 'P3' then pillar_score end) as pillar_3_score,
        round(
            sum(pillar_score * pillar_weight)
            / nullif(sum(case when pillar_score is not null then pillar_weight end), 0),
            9
        ) as overall_score

    from pillar_level
    group by entity_type, entity_code

),

explained as (

    select
        entity_type,
        entity_code,
        max(entity_name) as entity_name,
        {{ list_agg("case when is_applicable then indicator_code end", "indicator_code") }}
            as indicators_used,
        {{ list_agg("case when not is_applicable then indicator_code end", "indicator_code") }}
            as indicators_not_applicable

    from values_of_month
    group by entity_type, entity_code

),

grade_lookup as (

    select
        entity_level.entity_type,
        entity_level.entity_code,
        grades.grade_code
    from entity_level
    inner join grades
        on grades.min_score <= round(entity_level.overall_score, 6)
    qualify
        row_number() over (
            partition by entity_level.entity_type, entity_level.entity_code
            order by grades.min_score desc
        ) = 1

),

graded as (

    select
        entity_level.*,
        explained.entity_name,
        explained.indicators_used,
        explained.indicators_not_applicable,
        grade_lookup.grade_code as grade_before_cap,
        coalesce(red_counts.red_warnings, 0) as red_warnings

    from entity_level
    inner join explained
        on
            entity_level.entity_type = explained.entity_type
            and entity_level.entity_code = explained.entity_code
    left join red_counts
        on
            entity_level.entity_type = red_counts.entity_type
            and entity_level.entity_code = red_counts.entity_code
    left join grade_lookup
        on
            entity_level.entity_type = grade_lookup.entity_type
            and entity_level.entity_code = grade_lookup.entity_code

),

capped as (

    select
        graded.*,
        coalesce(
            graded.grade_before_cap = 'excellent'
            and graded.red_warnings > 0
            and settings.red_warning_blocks_excellent,
            false
        ) as is_capped_by_red_warning

    from graded
    cross join settings

),

catalogue as (

    select value as catalogue_version
    from {{ ref('catalogue_settings') }}
    where setting = 'catalogue_version'

),

final as (

    select
        catalogue.catalogue_version,
        capped.entity_type,
        capped.entity_code,
        capped.entity_name,
        capped.pillar_1_score,
        capped.pillar_2_score,
        capped.pillar_3_score,
        capped.overall_score,
        capped.grade_before_cap,
        capped.is_capped_by_red_warning,
        capped.red_warnings,
        capped.indicators_used,
        capped.indicators_not_applicable,
        grades.name_vi as grade_name_vi,
        grades.name_en as grade_name_en,
        {{ close_month() }} as month_date,
        case when capped.is_capped_by_red_warning then 'good' else capped.grade_before_cap end
            as grade_code

    from capped
    cross join catalogue
    left join grades
        on
            grades.grade_code
            = case when capped.is_capped_by_red_warning then 'good' else capped.grade_before_cap end

)

select * from final
