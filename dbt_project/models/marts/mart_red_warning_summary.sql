{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per closed month, entity (province, unit, official) and red warning R1-R8:
    how many records are red and on watch, and the change from the month before. The province
    and every active unit have all eight rows; officials those they are named in. -#}

with

warnings as (

    select * from {{ ref('mart_red_warnings') }}
    where month_date = {{ close_month() }}

),

previous_summary as (

    {% if is_incremental() %}
        select * from {{ this }}
        where month_date = cast({{ dbt.dateadd('month', -1, close_month()) }} as date)
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as entity_type,
            cast(null as {{ dbt.type_string() }}) as entity_code,
            cast(null as {{ dbt.type_string() }}) as warning_code,
            0 as red_records,
            0 as watch_records
        where 1 = 0
    {% endif %}

),

active_units as (

    select unit_code from {{ ref('stg_hr__units') }}
    where
        month_date = {{ close_month() }}
        and (valid_to_date is null or valid_to_date > {{ close_month() }})

),

codes as (

    select warning_codes.code as warning_code
    from (
        values ('R1'), ('R2'), ('R3'), ('R4'), ('R5'), ('R6'), ('R7'), ('R8')
    ) as warning_codes (code)

),

by_entity as (

    select
        warning_code,
        warning_level,
        'province' as entity_type,
        'province' as entity_code
    from warnings
    union all
    select
        warning_code,
        warning_level,
        'unit' as entity_type,
        unit_code as entity_code
    from warnings
    union all
    select
        warning_code,
        warning_level,
        'official' as entity_type,
        official_code as entity_code
    from warnings
    where official_code is not null

),

counted as (

    select
        entity_type,
        entity_code,
        warning_code,
        {{ count_where("warning_level = 'red'") }} as red_records,
        {{ count_where("warning_level = 'watch'") }} as watch_records

    from by_entity
    group by entity_type, entity_code, warning_code

),

grid as (

    select
        'province' as entity_type,
        'province' as entity_code,
        warning_code
    from codes
    union
    select
        'unit' as entity_type,
        active_units.unit_code as entity_code,
        codes.warning_code
    from active_units
    cross join codes
    union
    select
        entity_type,
        entity_code,
        warning_code
    from counted

),

final as (

    select
        grid.entity_type,
        grid.entity_code,
        grid.warning_code,
        {{ close_month() }} as month_date,
        coalesce(counted.red_records, 0) as red_records,
        coalesce(counted.watch_records, 0) as watch_records,
        previous_summary.red_records as previous_red_records,
        previous_summary.watch_records as previous_watch_records,
        coalesce(counted.red_records, 0) - coalesce(previous_summary.red_records, 0)
            as red_change,
        coalesce(counted.watch_records, 0) - coalesce(previous_summary.watch_records, 0)
            as watch_change

    from grid
    left join counted
        on
            grid.entity_type = counted.entity_type
            and grid.entity_code = counted.entity_code
            and grid.warning_code = counted.warning_code
    left join previous_summary
        on
            grid.entity_type = previous_summary.entity_type
            and grid.entity_code = previous_summary.entity_code
            and grid.warning_code = previous_summary.warning_code

)

select * from final
