-- One row per grid worker and month they held a grid: the six component rates (0–1) of the
-- monthly assessment (seed assessment_weights), each capped at 1 and 1 when there is nothing to
-- measure. Visit targets spread the duty's round over its months (households / 12, key persons /
-- 3) and pro rata to the working days the worker held the grid.
with

grid_months as (
    select * from {{ ref('metric_worker_grid_months') }}
),

periods as (
    select * from {{ ref('int_periods') }}
    where period_type = 'month'
),

grid_communities as (
    select versions.grid_code, min(versions.community_code) as community_code, min(divisions.parent_code) as street_code
    from {{ ref('int_grids_versioned') }} as versions
    inner join {{ ref('divisions') }} as divisions on versions.community_code = divisions.code
    group by versions.grid_code
),

patrol_rule as ({{ duty_rule('巡查') }}),

household_rule as ({{ duty_rule('入户走访') }}),

key_person_rule as ({{ duty_rule('重点人员走访') }}),

targets as (
    select
        grid_months.*,
        {{ required_occurrences('patrol_rule', 'grid_months.working_days_assigned', 'grid_months.days_assigned') }}
            as required_patrol_days,
        grid_months.households * household_rule.required_count * grid_months.working_days_assigned
            / ({{ duty_months('household_rule') }} * cast(periods.working_days as {{ type_double() }}))
            as household_visit_target,
        coalesce(grid_months.key_persons, 0) * key_person_rule.required_count * grid_months.working_days_assigned
            / ({{ duty_months('key_person_rule') }} * cast(periods.working_days as {{ type_double() }}))
            as key_person_visit_target
    from grid_months
    inner join periods on grid_months.month_start = periods.period_start
    cross join patrol_rule
    cross join household_rule
    cross join key_person_rule
),

{% set sums = ['working_days_assigned', 'required_patrol_days', 'patrolled_working_days', 'work_log_days',
               'households_visited', 'household_visit_target', 'key_persons_visited', 'key_person_visit_target',
               'cases_accepted', 'cases_handled_on_time', 'cases_evaluated', 'cases_satisfied'] %}

workers as (
    select
        targets.worker_id,
        targets.month_start,
        {{ dbt.listagg('targets.grid_code', "';'", 'order by targets.grid_code') }} as grid_codes,
        min(grid_communities.community_code) as community_code,
        min(grid_communities.street_code) as street_code,
        {% for measure in sums %}{{ sum_count('targets.' ~ measure) if 'target' not in measure else 'sum(targets.' ~ measure ~ ')' }} as {{ measure }},
        {% endfor %}
        count(*) as grids_held
    from targets
    inner join grid_communities on targets.grid_code = grid_communities.grid_code
    group by targets.worker_id, targets.month_start
),

final as (
    select
        *,
        {% for component, numerator, denominator in [
            ('patrol', 'patrolled_working_days', 'required_patrol_days'),
            ('household_visits', 'households_visited', 'household_visit_target'),
            ('key_person_visits', 'key_persons_visited', 'key_person_visit_target'),
            ('on_time_handling', 'cases_handled_on_time', 'cases_accepted'),
            ('satisfaction', 'cases_satisfied', 'cases_evaluated'),
            ('work_log', 'work_log_days', 'working_days_assigned'),
        ] %}
        coalesce(least(1.0, {{ safe_ratio(numerator, denominator) }}), 1.0) as {{ component }}_rate{{ ',' if not loop.last }}
        {% endfor %}
    from workers
)

select * from final
