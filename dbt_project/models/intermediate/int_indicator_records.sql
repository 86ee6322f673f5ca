{{ config(materialized='view') }}

{#- Every record behind every indicator of the closed month, with what it adds to the
    indicator's numerator and denominator and whom it counts for. The marts sum these rows, so
    each figure can be traced to its records and from them to a source line. -#}

with

records as (

    select * from {{ ref('int_indicator_records__listed') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

attributed as (

    -- A unit merged or dissolved before the month began hands its open records to its
    -- successor: its own key keeps its history, the successor answers for the month.
    select
        records.indicator_code,
        records.official_code,
        records.record_type,
        records.record_id,
        records.source_file,
        records.source_line,
        records.month_date,
        records.unit_code as recorded_unit_code,
        records.numerator,
        records.denominator,
        case
            when units.valid_to_date <= records.month_date then units.rollup_unit_code
            else records.unit_code
        end as unit_code

    from records
    left join units
        on records.unit_code = units.unit_code

)

select * from attributed
