with

days as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

final as (
    select
        calendar_date,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 'calendar_date') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'calendar_date') }} as date) as year_start,
        is_working_day,
        is_holiday,
        holiday_name,
        working_day_number
    from days
)

select * from final
