-- One row per grid worker, grid they held as its primary worker, and month: what they recorded in
-- that grid while they held it, the cases of the grid reported while they held it (by month of
-- acceptance and of evaluation), and the grid's households and key persons.
with

assignment_days as (
    select
        *,
        first_value(household_count) over (
            partition by worker_id, grid_code, month_start order by calendar_date desc
        ) as month_household_count
    from {{ ref('int_grid_days') }}
    where worker_id is not null
),

patrols as (
    select * from {{ ref('fct_patrols') }}
),

cases as (
    select * from {{ ref('fct_cases') }}
),

population as (
    select * from {{ ref('fct_population_grid_monthly') }}
),

recorded as (
    select
        assignment_days.worker_id,
        assignment_days.grid_code,
        assignment_days.month_start,
        min(assignment_days.month_household_count) as households,
        count(distinct assignment_days.calendar_date) as days_assigned,
        count(distinct case when assignment_days.is_working_day then assignment_days.calendar_date end)
            as working_days_assigned,
        count(distinct case when assignment_days.is_working_day and patrols.patrol_type = '巡查'
            then assignment_days.calendar_date end) as patrolled_working_days,
        count(distinct case when assignment_days.is_working_day and patrols.has_log
            then assignment_days.calendar_date end) as work_log_days,
        coalesce({{ sum_count('patrols.households_visited') }}, 0) as households_visited,
        coalesce({{ sum_count('patrols.key_persons_visited') }}, 0) as key_persons_visited
    from assignment_days
    left join patrols
        on assignment_days.worker_id = patrols.worker_id
        and assignment_days.grid_code = patrols.grid_code
        and assignment_days.calendar_date = patrols.patrol_date
    group by assignment_days.worker_id, assignment_days.grid_code, assignment_days.month_start
),

worker_cases as (
    select assignment_days.worker_id, cases.*
    from cases
    inner join assignment_days
        on cases.grid_code = assignment_days.grid_code
        and cast(coalesce(cases.reported_at, cases.accepted_at) as date) = assignment_days.calendar_date
    where not cases.is_void
),

accepted as (
    select worker_id, grid_code, accepted_month as month_start, count(*) as cases_accepted,
        {{ count_where("is_handled_on_time") }} as cases_handled_on_time
    from worker_cases
    where accepted_at is not null
    group by worker_id, grid_code, accepted_month
),

evaluated as (
    select worker_id, grid_code, cast({{ dbt.date_trunc('month', 'evaluated_at') }} as date) as month_start,
        count(*) as cases_evaluated,
        {{ count_where("is_satisfied") }} as cases_satisfied
    from worker_cases
    where satisfaction is not null
    group by worker_id, grid_code, cast({{ dbt.date_trunc('month', 'evaluated_at') }} as date)
),

final as (
    select
        recorded.*,
        population.key_persons,
        coalesce(accepted.cases_accepted, 0) as cases_accepted,
        coalesce(accepted.cases_handled_on_time, 0) as cases_handled_on_time,
        coalesce(evaluated.cases_evaluated, 0) as cases_evaluated,
        coalesce(evaluated.cases_satisfied, 0) as cases_satisfied
    from recorded
    left join population
        on recorded.grid_code = population.grid_code and recorded.month_start = population.month_start
    left join accepted
        on recorded.worker_id = accepted.worker_id and recorded.grid_code = accepted.grid_code
        and recorded.month_start = accepted.month_start
    left join evaluated
        on recorded.worker_id = evaluated.worker_id and recorded.grid_code = evaluated.grid_code
        and recorded.month_start = evaluated.month_start
)

select * from final
