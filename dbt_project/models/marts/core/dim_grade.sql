{#- The four grades of the overall score, best first, with the lowest score each needs.
    Grain: one row per grade code. -#}

with

grades as (

    select * from {{ ref('grade_scale') }}

),

final as (

    select
        grade_code,
        name_vi as grade_name_vi,
        name_en as grade_name_en,
        rank_order,
        cast(min_score as {{ type_double() }}) as min_score

    from grades

)

select * from final
