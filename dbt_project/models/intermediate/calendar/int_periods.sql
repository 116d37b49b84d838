-- The months and quarters of the data range: from the first month with any register, case step or
-- patrol up to the data cut-off, the last day with a case step or patrol. A period the cut-off falls
-- inside is measured up to the cut-off (as_of_date) and is not complete.
-- Every month with a register is in range even when the logs stop earlier (their files not yet
-- arrived, or rejected): the cut-off is then the first day of the latest register month, so that no
-- landed register goes unseen while the logs still say nothing past their last day.
-- Without any log the range ends with the last register month; without any register, case or patrol
-- (a lake with grid tables only) it is the months of the grid tables, so the grids in force show.
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

grid_tables as (
    select min(table_as_of_date) as first_day, max(table_as_of_date) as last_month_start
    from {{ ref('stg_grids__grids') }}
),

logs as (
    select
        case
            when case_steps.last_day is null then patrols.last_day
            when patrols.last_day is null then case_steps.last_day
            else greatest(case_steps.last_day, patrols.last_day)
        end as last_day
    from case_steps
    cross join patrols
),

data_range as (
    select
        cast({{ dbt.date_trunc('month', 'coalesce(least(registers.first_day, case_steps.first_day, patrols.first_day), grid_tables.first_day)') }} as date) as first_day,
        case
            when logs.last_day is not null and registers.last_month_start is not null
                then greatest(logs.last_day, registers.last_month_start)
            when logs.last_day is not null then logs.last_day
            when registers.last_month_start is not null
                then cast({{ dbt.last_day('registers.last_month_start', 'month') }} as date)
            else cast({{ dbt.last_day('grid_tables.last_month_start', 'month') }} as date)
        end as last_day
    from registers
    cross join case_steps
    cross join patrols
    cross join logs
    cross join grid_tables
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
