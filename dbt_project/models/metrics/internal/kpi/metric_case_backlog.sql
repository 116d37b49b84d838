-- One row per area and period: cases closed during the period, and the backlog at its end (the
-- period's as_of_date: its last day, or the data cut-off): open cases and overdue open cases
-- (due_date passed, not closed) with their age in working days past the deadline.
with

cases as (
    select * from {{ ref('fct_cases') }}
    where not is_void
),

periods as (
    select * from {{ ref('int_periods') }}
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

case_periods as (
    select
        cases.*,
        periods.period_type,
        periods.period_start,
        cases.is_closed
            and cast(cases.closed_at as date) between periods.period_start and periods.as_of_date as is_closed_in_period,
        cases.accepted_at is not null
            and (not cases.is_closed or cast(cases.closed_at as date) > periods.as_of_date) as is_open_at_end,
        cases.due_date <= periods.as_of_date as is_past_due_at_end,
        periods.as_of_working_day_number - due_day.working_day_number as working_days_past_due
    from cases
    inner join periods
        on (cases.accepted_at is null or cast(cases.accepted_at as date) <= periods.as_of_date)
        and (not cases.is_closed or cast(cases.closed_at as date) >= periods.period_start)
    left join calendar as due_day on cases.due_date = due_day.calendar_date
),

{% set measures %}
        {{ count_where("is_closed_in_period") }} as cases_closed,
        {{ count_where("is_open_at_end") }} as open_cases_at_end,
        {{ count_where("is_open_at_end and is_past_due_at_end") }} as overdue_open_cases,
        {{ count_where("is_open_at_end and is_past_due_at_end and working_days_past_due > 5") }}
            as overdue_open_cases_over_5_working_days,
        avg(case when is_open_at_end and is_past_due_at_end then cast(working_days_past_due as {{ type_double() }}) end)
            as overdue_age_mean_working_days,
        max(case when is_open_at_end and is_past_due_at_end then working_days_past_due end)
            as overdue_age_max_working_days
{% endset %}

final as (
    {{ by_area_levels('case_periods', measures) }}
)

select * from final
