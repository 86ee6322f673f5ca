{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per conclusion item of the closed month's meetings. An item is actionable
    when it has content, an assignee (unit or official) and a due date. -#}

with

items as (

    select * from {{ ref('stg_dms__conclusions') }}
    where month_date = {{ close_month() }}

),

final as (

    select
        {{ surrogate_key(['month_date', 'conclusion_id']) }} as conclusion_item_key,
        month_date,
        conclusion_id,
        meeting_id,
        conclusion_content,
        task_id,
        assignee_unit_code,
        assignee_official_code,
        due_date,
        source_file,
        source_line,
        coalesce(trim(conclusion_content), '') != ''
        and (assignee_unit_code is not null or assignee_official_code is not null)
        and due_date is not null as is_actionable

    from items

)

select * from final
