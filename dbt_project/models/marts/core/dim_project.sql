{#- Investment projects as the latest closed month's disbursement report describes them, plus a
    missing member. Grain: one row per project code. -#}

with

disbursements as (

    select * from {{ ref('stg_treasury__disbursements') }}

),

latest as (

    select *
    from disbursements
    qualify row_number() over (partition by project_code order by month_date desc) = 1

),

known as (

    select
        {{ surrogate_key(['project_code']) }} as project_key,
        project_code,
        project_name,
        investor_unit_code,
        capital_source,
        month_date as described_in_month_date

    from latest

),

missing_member as (

    select
        {{ missing_member_key() }} as project_key,
        '#missing' as project_code,
        'Không xác định (unknown project)' as project_name,
        cast(null as {{ dbt.type_string() }}) as investor_unit_code,
        cast(null as {{ dbt.type_string() }}) as capital_source,
        cast(null as date) as described_in_month_date

),

final as (

    select * from known
    union all
    select * from missing_member

)

select * from final
