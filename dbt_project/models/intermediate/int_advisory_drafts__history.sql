{{ config(materialized='view') }}

{#- Each advisory draft as known at the closed month's cut-off, from every round exported up
    to that month: how often it was returned, when, and whether it was approved (P1.3, R2). -#}

with

rounds as (

    select * from {{ ref('stg_dms__advisory_rounds') }}
    where {{ up_to_close_month() }}

),

latest_rounds as (

    -- A round appears in the month it was submitted and again when decided: keep the latest.
    select *
    from rounds
    qualify
        row_number() over (partition by advisory_id, round_no order by month_date desc) = 1

),

decided as (

    select
        *,
        case when decided_date <= {{ cut_off_date() }} then outcome else 'pending' end
            as outcome_at_cut_off

    from latest_rounds

),

drafts as (

    select
        advisory_id,
        max(unit_code) as unit_code,
        max(official_code) as official_code,
        max(round_no) as rounds_submitted,
        {{ count_where("outcome_at_cut_off = 'returned'") }} as returns_by_cut_off,
        {{ count_where("outcome_at_cut_off = 'returned' and decided_date < " ~ close_month()) }}
            as returns_before_month,
        max(case when outcome_at_cut_off = 'approved' then decided_date end) as approved_date,
        {{ count_where(
            "outcome_at_cut_off in ('approved', 'returned') and decided_date >= "
            ~ close_month()) }} as decisions_in_month,
        {{ count_where(
            "outcome_at_cut_off = 'approved' and decided_date >= " ~ close_month()) }}
            as approvals_in_month

    from decided
    group by advisory_id

),

latest_round as (

    -- The row that shows the draft's latest state: where R2 sends a reader.
    select
        advisory_id,
        source_line,
        -- The latest round may sit in an earlier month's export: name the month's folder.
        {{ dbt.concat([
            "left(cast(month_date as " ~ dbt.type_string() ~ "), 7)", "'/'", "source_file"
        ]) }} as source_file
    from decided
    qualify
        row_number() over (
            partition by advisory_id order by month_date desc, round_no desc
        ) = 1

),

second_returns as (

    select
        advisory_id,
        decided_date as second_return_date

    from decided
    where outcome_at_cut_off = 'returned'
    qualify row_number() over (partition by advisory_id order by round_no) = 2

),

joined as (

    select
        drafts.*,
        second_returns.second_return_date,
        latest_round.source_file,
        latest_round.source_line,
        {{ close_month() }} as month_date,
        {{ cut_off_date() }} as cut_off_date

    from drafts
    left join second_returns
        on drafts.advisory_id = second_returns.advisory_id
    left join latest_round
        on drafts.advisory_id = latest_round.advisory_id

),

final as (

    select
        *,
        {{ dbt.datediff('second_return_date', 'cut_off_date', 'day') }}
            as days_since_second_return

    from joined

)

select * from final
