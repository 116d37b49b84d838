-- One row per grid and period it is in force: patrols against the required frequency, the grid's
-- worker, and household and key-person visits within their duty windows (all households each year,
-- key persons each quarter by default: seed duty_requirements).
with

coverage as (
    select * from {{ ref('fct_grid_daily_coverage') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

grids as (
    select * from {{ ref('dim_grids') }}
),

population as (
    select * from {{ ref('fct_population_grid_monthly') }}
),

patrol_rule as ({{ duty_rule('巡查') }}),

household_rule as ({{ duty_rule('入户走访') }}),

key_person_rule as ({{ duty_rule('重点人员走访') }}),

in_period as (
    select
        periods.period_type,
        periods.period_start,
        coverage.grid_code,
        count(*) as days_in_force,
        {{ count_where("coverage.is_working_day") }} as working_days_in_force,
        {{ count_where("coverage.is_working_day and coverage.is_patrolled") }} as patrolled_working_days,
        {{ sum_count('coverage.patrols') }} as patrols,
        {{ sum_count('coverage.households_visited') }} as households_visited,
        {{ sum_count('coverage.key_persons_visited') }} as key_persons_visited,
        {{ sum_count('coverage.assigned_worker_records') }} as assigned_worker_records,
        max(coverage.calendar_date) as last_day_in_force
    from coverage
    inner join periods on coverage.calendar_date between periods.period_start and periods.as_of_date
    group by periods.period_type, periods.period_start, coverage.grid_code
),

in_windows as (
    select
        periods.period_type,
        periods.period_start,
        coverage.grid_code,
        cast(sum(case when coverage.calendar_date >= {{ duty_window_start('household_rule', 'periods') }}
            then coverage.households_visited else 0 end) as {{ dbt.type_bigint() }}) as households_visited_in_window,
        cast(sum(case when coverage.calendar_date >= {{ duty_window_start('key_person_rule', 'periods') }}
            then coverage.key_persons_visited else 0 end) as {{ dbt.type_bigint() }}) as key_persons_visited_in_window
    from coverage
    inner join periods
        on coverage.calendar_date between periods.year_start and periods.as_of_date
    cross join household_rule
    cross join key_person_rule
    group by periods.period_type, periods.period_start, coverage.grid_code
),

final as (
    select
        in_period.period_type,
        in_period.period_start,
        in_period.grid_code,
        grids.grid_version_id,
        grids.community_code,
        grids.street_code,
        grids.worker_id,
        grids.backup_worker_id,
        grids.household_count as households,
        grids.is_outside_size_band,
        in_period.working_days_in_force,
        {{ required_occurrences('patrol_rule', 'in_period.working_days_in_force', 'in_period.days_in_force') }}
            as required_patrol_days,
        in_period.patrolled_working_days,
        in_period.patrols,
        in_period.assigned_worker_records,
        in_period.households_visited,
        in_period.key_persons_visited,
        in_windows.households_visited_in_window,
        grids.household_count * household_rule.required_count as household_visit_target,
        population.key_persons,
        in_windows.key_persons_visited_in_window,
        population.key_persons * key_person_rule.required_count as key_person_visit_target
    from in_period
    inner join periods
        on in_period.period_type = periods.period_type and in_period.period_start = periods.period_start
    inner join coverage
        on in_period.grid_code = coverage.grid_code and in_period.last_day_in_force = coverage.calendar_date
    inner join grids on coverage.grid_version_id = grids.grid_version_id
    inner join in_windows
        on in_period.period_type = in_windows.period_type
        and in_period.period_start = in_windows.period_start
        and in_period.grid_code = in_windows.grid_code
    left join population
        on in_period.grid_code = population.grid_code and periods.snapshot_month_start = population.month_start
    cross join patrol_rule
    cross join household_rule
    cross join key_person_rule
)

select * from final
