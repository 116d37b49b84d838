-- The as-of days of the warnings: every calendar day from the first case report to the data's last
-- day (the last case step). A warning of day D uses only what was known by the end of D.
with

cases as (
    select reported_at, last_step_at from {{ ref('int_cases_pivoted') }}
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

bounds as (
    select
        cast(min(reported_at) as date) as first_day,
        cast(max(last_step_at) as date) as last_day
    from cases
),

final as (
    select
        calendar.calendar_date as as_of_date,
        calendar.is_working_day,
        calendar.working_day_number,
        cast({{ dbt.date_trunc('week', 'calendar.calendar_date') }} as date) as estimate_week,
        {{ dbt.datediff('bounds.first_day', 'calendar.calendar_date', 'day') }} as day_index
    from calendar
    cross join bounds
    where calendar.calendar_date between bounds.first_day and bounds.last_day
)

select * from final
