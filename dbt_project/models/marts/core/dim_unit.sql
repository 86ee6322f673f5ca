{#- Units of the province as the latest closed month's staff register describes them, with a
    missing member for facts naming no known unit. -#}

with

units as (

    select * from {{ ref('stg_hr__units') }}

),

latest as (

    select *
    from units
    qualify row_number() over (partition by unit_code order by month_date desc) = 1

),

known as (

    select
        {{ surrogate_key(['unit_code']) }} as unit_key,
        unit_code,
        unit_name,
        unit_level,
        parent_unit_code,
        valid_from_date,
        valid_to_date,
        successor_unit_code,
        valid_to_date is not null as is_dissolved,
        month_date as described_in_month_date

    from latest

),

rolled_up as (

    -- A dissolved unit keeps its own key and rolls up to its successor (two hops at most).
    select
        known.*,
        coalesce(second_hop.successor_unit_code, known.successor_unit_code, known.unit_code)
            as rollup_unit_code

    from known
    left join known as second_hop
        on known.successor_unit_code = second_hop.unit_code

),

missing_member as (

    select
        {{ missing_member_key() }} as unit_key,
        '#missing' as unit_code,
        'Không xác định (unknown unit)' as unit_name,
        'unknown' as unit_level,
        cast(null as {{ dbt.type_string() }}) as parent_unit_code,
        cast(null as date) as valid_from_date,
        cast(null as date) as valid_to_date,
        cast(null as {{ dbt.type_string() }}) as successor_unit_code,
        false as is_dissolved,
        cast(null as date) as described_in_month_date,
        '#missing' as rollup_unit_code

),

final as (

    select * from rolled_up
    union all
    select * from missing_member

)

select * from final
