{#- The fifteen indicators of the catalogue with their pillar, direction, target and weight.
    Grain: one row per indicator code. -#}

with

indicators as (

    select * from {{ ref('indicator_catalogue') }}

),

pillars as (

    select * from {{ ref('pillar_catalogue') }}

),

final as (

    select
        indicators.indicator_code,
        indicators.pillar_code,
        indicators.name_vi as indicator_name_vi,
        indicators.name_en as indicator_name_en,
        indicators.numerator_definition,
        indicators.denominator_definition,
        indicators.direction,
        indicators.source_export,
        pillars.name_vi as pillar_name_vi,
        pillars.name_en as pillar_name_en,
        cast(indicators.target as {{ type_double() }}) as target_value,
        cast(indicators.weight as {{ type_double() }}) as indicator_weight,
        cast(pillars.weight as {{ type_double() }}) as pillar_weight

    from indicators
    inner join pillars
        on indicators.pillar_code = pillars.pillar_code

)

select * from final
