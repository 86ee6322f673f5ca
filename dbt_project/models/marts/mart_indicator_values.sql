{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per closed month, entity (province, unit, official) and indicator, with the
    numerator and denominator the value divides, the target, and the score. A denominator of
    zero makes the indicator not applicable. Every active unit has a row for every indicator;
    officials have rows for the indicators whose records name them. -#}

with

records as (

    select * from {{ ref('int_indicator_records') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

officials as (

    select distinct
        official_code,
        official_name
    from {{ ref('dim_official') }}

),

active_units as (

    select unit_code from {{ ref('stg_hr__units') }}
    where
        month_date = {{ close_month() }}
        and (valid_to_date is null or valid_to_date > {{ close_month() }})

),

by_entity as (

    select
        indicator_code,
        numerator,
        denominator,
        'province' as entity_type,
        'province' as entity_code
    from records
    union all
    select
        indicator_code,
        numerator,
        denominator,
        'unit' as entity_type,
        unit_code as entity_code
    from records
    union all
    select
        indicator_code,
        numerator,
        denominator,
        'official' as entity_type,
        official_code as entity_code
    from records
    where official_code is not null

),

summed as (

    select
        entity_type,
        entity_code,
        indicator_code,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        count(*) as records

    from by_entity
    group by entity_type, entity_code, indicator_code

),

unit_grid as (

    -- Active units without records still get a row per indicator: not applicable.
    select
        'unit' as entity_type,
        active_units.unit_code as entity_code,
        indicators.indicator_code
    from active_units
    cross join indicators
    union
    select
        'province' as entity_type,
        'province' as entity_code,
        indicator_code
    from indicators
    union
    select distinct
        summed.entity_type,
        summed.entity_code,
        indicators.indicator_code
    from summed
    cross join indicators

),

valued as (

    select
        unit_grid.entity_type,
        unit_grid.entity_code,
        unit_grid.indicator_code,
        indicators.pillar_code,
        indicators.direction,
        indicators.target_value,
        indicators.indicator_weight,
        coalesce(summed.numerator, 0) as numerator,
        coalesce(summed.denominator, 0) as denominator,
        coalesce(summed.records, 0) as records,
        case
            when coalesce(summed.denominator, 0) > 0 then summed.numerator / summed.denominator
        end as indicator_value

    from unit_grid
    inner join indicators
        on unit_grid.indicator_code = indicators.indicator_code
    left join summed
        on
            unit_grid.entity_type = summed.entity_type
            and unit_grid.entity_code = summed.entity_code
            and unit_grid.indicator_code = summed.indicator_code

),

catalogue as (

    select value as catalogue_version
    from {{ ref('catalogue_settings') }}
    where setting = 'catalogue_version'

),

final as (

    select
        catalogue.catalogue_version,
        valued.entity_type,
        valued.entity_code,
        valued.indicator_code,
        valued.pillar_code,
        valued.direction,
        valued.numerator,
        valued.denominator,
        valued.records,
        valued.indicator_value,
        valued.target_value,
        valued.indicator_weight,
        {{ close_month() }} as month_date,
        case valued.entity_type
            when 'province' then 'Toàn tỉnh (province)'
            when 'unit' then units.unit_name
            else officials.official_name
        end as entity_name,
        valued.indicator_value is not null as is_applicable,
        -- Score 0-100: higher is better, 100 x min(1, value / target); lower is better,
        -- 100 x min(1, (1 - value) / (1 - target)).
        case
            when valued.indicator_value is null then null
            when valued.direction = 'higher'
                then 100 * least(1.0, valued.indicator_value / valued.target_value)
            else 100 * least(1.0, (1 - valued.indicator_value) / (1 - valued.target_value))
        end as score

    from valued
    cross join catalogue
    left join units
        on valued.entity_type = 'unit' and valued.entity_code = units.unit_code
    left join officials
        on valued.entity_type = 'official' and valued.entity_code = officials.official_code

)

select * from final
