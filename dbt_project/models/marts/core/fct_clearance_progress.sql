{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per project and closed month: site clearance area required and handed over
    at the cut-off (P2.2), attributed to the project's investor unit. -#}

with

progress as (

    select * from {{ ref('stg_site_clearance__clearance_progress') }}
    where month_date = {{ close_month() }}

),

projects as (

    select * from {{ ref('dim_project') }}

),

final as (

    select
        {{ surrogate_key(['progress.month_date', 'progress.project_code']) }}
            as clearance_progress_key,
        progress.month_date,
        progress.project_code,
        projects.investor_unit_code,
        progress.area_required_m2,
        progress.area_handed_over_m2,
        progress.households_affected,
        progress.households_compensated,
        progress.source_file,
        progress.source_line,
        coalesce(projects.project_key, {{ missing_member_key() }}) as project_key

    from progress
    left join projects
        on progress.project_code = projects.project_code

)

select * from final
