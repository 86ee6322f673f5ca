{#- Administrative procedures of the national catalogue met in the dossiers. Grain: one row per
    procedure code. -#}

with

dossiers as (

    select * from {{ ref('stg_one_stop__dossiers') }}

),

spellings as (

    -- A handful of spellings per procedure and month, out of millions of dossiers: grouped
    -- before they are ranked, so the work does not grow with the months of history.
    select
        procedure_code,
        procedure_name,
        procedure_domain,
        month_date

    from dossiers
    group by procedure_code, procedure_name, procedure_domain, month_date

),

latest as (

    select
        procedure_code,
        procedure_name,
        procedure_domain

    from spellings
    qualify
        row_number() over (
            partition by procedure_code
            order by month_date desc, procedure_name asc, procedure_domain asc
        ) = 1

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
