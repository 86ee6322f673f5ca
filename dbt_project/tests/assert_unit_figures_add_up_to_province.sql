{#- The province figure sums the numerators and denominators of all records, and every record
    counts for exactly one unit: so the units' sums equal the province's, indicator by
    indicator, and task class by task class. Returns the indicators or classes that differ. -#}

with

indicator_values as (

    select * from {{ ref('mart_indicator_values') }}
    where month_date = {{ close_month() }}

),

task_progress as (

    select * from {{ ref('mart_task_progress') }}
    where month_date = {{ close_month() }}

),

indicator_sums as (

    select
        indicator_code as figure,
        sum(case when entity_type = 'unit' then numerator else 0 end) as unit_numerator,
        sum(case when entity_type = 'province' then numerator else 0 end) as province_numerator,
        sum(case when entity_type = 'unit' then denominator else 0 end) as unit_denominator,
        sum(case when entity_type = 'province' then denominator else 0 end)
            as province_denominator

    from indicator_values
    group by indicator_code

),

task_sums as (

    select
        'tasks' as figure,
        sum(case when entity_type = 'unit' then tasks_total else 0 end) as unit_numerator,
        sum(case when entity_type = 'province' then tasks_total else 0 end)
            as province_numerator,
        sum(case when entity_type = 'unit' then tasks_stuck else 0 end) as unit_denominator,
        sum(case when entity_type = 'province' then tasks_stuck else 0 end)
            as province_denominator

    from task_progress

),

final as (

    -- Areas and money are summed as doubles in whatever order the engine chooses: the sums
    -- may differ in their last digits, so they are compared relative to their size.
    select * from indicator_sums
    where
        abs(unit_numerator - province_numerator) > 1e-9 * (1 + abs(province_numerator))
        or abs(unit_denominator - province_denominator)
        > 1e-9 * (1 + abs(province_denominator))
    union all
    select * from task_sums
    where unit_numerator != province_numerator or unit_denominator != province_denominator

)

select * from final
