{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_close_month() }}",
    )
}}

{#- Grain: one row per investment project and closed month: plan, disbursement in the month and
    year to date (million VND), the reconciliation of year to date against last month plus this
    month, the rate recomputed (the printed one is kept, never trusted), and what was disbursed
    in the current calendar quarter (P1.5, R3). -#}

with

disbursements as (

    select * from {{ ref('stg_treasury__disbursements') }}
    where {{ up_to_close_month() }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

settings as (

    select cast(value as {{ dbt.type_numeric() }}) as year_end_share
    from {{ ref('catalogue_settings') }}
    where setting = 'disbursement_year_end_share'

),

this_month as (

    select * from disbursements
    where month_date = {{ close_month() }}

),

previous_month as (

    select * from disbursements
    where month_date = cast({{ dbt.dateadd('month', -1, close_month()) }} as date)

),

before_quarter as (

    -- Year to date at the end of the previous quarter; a new year starts from zero.
    select
        project_code,
        disbursed_ytd_mvnd as ytd_before_quarter_mvnd
    from disbursements
    where
        month_date = cast({{ dbt.dateadd(
            'month', -1, dbt.date_trunc('quarter', close_month())) }} as date)
        and extract(month from month_date) != 12

),

joined as (

    select
        this_month.*,
        before_quarter.ytd_before_quarter_mvnd,
        settings.year_end_share,
        previous_month.project_code is not null as has_previous_month,
        cast({{ dbt.date_trunc('quarter', 'this_month.month_date') }} as date)
            as quarter_start_date,
        {{ cut_off_date() }} as cut_off_date,
        extract(month from this_month.month_date) as calendar_month,
        coalesce(units.unit_key, {{ missing_member_key() }}) as unit_key,
        -- January starts a new year; later months add to the previous month's year to date.
        case
            when extract(month from this_month.month_date) = 1 then 0
            else previous_month.disbursed_ytd_mvnd
        end as previous_ytd_mvnd

    from this_month
    cross join settings
    left join previous_month
        on this_month.project_code = previous_month.project_code
    left join before_quarter
        on this_month.project_code = before_quarter.project_code
    left join units
        on this_month.investor_unit_code = units.unit_code

),

final as (

    select
        {{ surrogate_key(['month_date', 'project_code']) }} as disbursement_key,
        month_date,
        project_code,
        project_name,
        investor_unit_code,
        capital_source,
        annual_plan_mvnd,
        disbursed_in_month_mvnd,
        disbursed_ytd_mvnd,
        printed_disbursement_rate_pct,
        previous_ytd_mvnd,
        quarter_start_date,
        source_file,
        source_line,
        unit_key,
        -- Null when last month was not loaded: nothing to reconcile against.
        case
            when calendar_month = 1 or has_previous_month
                then abs(disbursed_ytd_mvnd - previous_ytd_mvnd - disbursed_in_month_mvnd) < 0.05
        end as is_ytd_reconciled,
        case
            when annual_plan_mvnd > 0 then 100.0 * disbursed_ytd_mvnd / annual_plan_mvnd
        end as disbursement_rate_pct,
        year_end_share * calendar_month / 12.0 as target_share,
        annual_plan_mvnd * year_end_share * calendar_month / 12.0 as planned_to_date_mvnd,
        calendar_month in (3, 6, 9, 12) as is_quarter_end,
        1 + {{ dbt.datediff('quarter_start_date', 'cut_off_date', 'day') }}
            as days_into_quarter,
        -- Disbursed so far in the calendar quarter: null when the previous quarter's last month
        -- was never loaded, so R3 is not judged on missing history.
        disbursed_ytd_mvnd - case
            when calendar_month <= 3 then 0 else ytd_before_quarter_mvnd
        end as disbursed_in_quarter_mvnd

    from joined

)

select * from final
