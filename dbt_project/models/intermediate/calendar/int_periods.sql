-- The months and quarters of the data range: from the first month with any register, case step or
-- patrol up to the last day with a case step or patrol (the data cut-off). A period the cut-off
-- falls inside is measured up to the cut-off (as_of_date) and is not complete.
with

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

registers as (
    select min(month_start) as first_day, max(month_start) as last_month_start
    from {{ ref('int_registers_received') }}
),

case_steps as (
    select min(cast(first_step_at as date)) as first_day, max(cast(last_step_at as date)) as last_day
    from {{ ref('int_cases_pivoted') }}
),

patrols as (
    select min(cast(started_at as date)) as first_day, max(cast(started_at as date)) as last_day
    from {{ ref('stg_patrols__records') }}
),

data_range as (
    select
        cast({{ dbt.date_trunc('month', 'least(registers.first_day, case_steps.first_day, patrols.first_day)') }} as date) as first_day,
        coalesce(
            greatest(case_steps.last_day, patrols.last_day),
            cast({{ dbt.last_day('registers.last_month_start', 'month') }} as date)
        ) as last_day
    from registers
    cross join case_steps
    cross join patrols
),

days as (
    select
        calendar.*,
        calendar.calendar_date <= data_range.last_day as is_in_range,
        cast({{ dbt.date_trunc('month', 'calendar.calendar_date') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 'calendar.calendar_date') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'calendar.calendar_date') }} as date) as year_start
    from calendar
    inner join data_range
        on calendar.calendar_date >= data_range.first_day
        and calendar.calendar_date <= cast({{ dbt.last_day('data_range.last_day', 'quarter') }} as date)
),

{% for period in ['month', 'quarter'] %}
{{ period }}s as (
    select
        '{{ period }}' as period_type,
        {{ period }}_start as period_start,
        max(calendar_date) as period_end,
        min(quarter_start) as quarter_start,
        min(year_start) as year_start,
        max(case when is_in_range then month_start end) as snapshot_month_start,
        max(case when is_in_range then calendar_date end) as as_of_date,
        max(case when is_in_range then working_day_number end) as as_of_working_day_number,
        count(distinct case when is_in_range then month_start end) as months_in_range,
        {{ count_where("is_working_day") }} as working_days,
        {{ count_where("is_in_range") }} as days_in_range,
        {{ count_where("is_in_range and is_working_day") }} as working_days_in_range
    from days
    group by {{ period }}_start
    having {{ dbt.bool_or('is_in_range') }}
),
{% endfor %}

final as (
    select *, as_of_date = period_end as is_complete from months
    union all
    select *, as_of_date = period_end as is_complete from quarters
)

select * from final
