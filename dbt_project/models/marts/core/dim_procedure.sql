{#- Administrative procedures of the national catalogue met in the dossiers. Grain: one row per
    procedure code. -#}

with

dossiers as (

    select * from {{ ref('stg_one_stop__dossiers') }}

),

latest as (

    select
        procedure_code,
        procedure_name,
        procedure_domain

    from dossiers
    qualify row_number() over (partition by procedure_code order by month_date desc) = 1

),

final as (

    select
        {{ surrogate_key(['procedure_code']) }} as procedure_key,
        procedure_code,
        procedure_name,
        procedure_domain,
        coalesce(procedure_domain = 'Đất đai', false) as is_land_procedure

    from latest

)

select * from final
