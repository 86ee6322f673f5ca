{#- Calendar days from 2020 to 2035 with the month and quarter they fall in. -#}

with

days as (

    {{ calendar_days('2020-01-01', '2035-12-31') }}

),

final as (

    select
        calendar_date,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month_date,
        cast({{ dbt.date_trunc('quarter', 'calendar_date') }} as date) as quarter_start_date,
        cast({{ dbt.last_day('calendar_date', 'month') }} as date) as month_end_date,
        extract(year from calendar_date) as calendar_year,
        extract(quarter from calendar_date) as calendar_quarter,
        extract(month from calendar_date) as calendar_month,
        extract(isodow from calendar_date) as iso_day_of_week

    from days

)

select * from final
