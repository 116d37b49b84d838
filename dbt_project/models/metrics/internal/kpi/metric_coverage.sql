-- One row per area and period: coverage counts summed from the grids in force (a grid's own row
-- has 1 or 0 for each grids_* count). Visits count at most the target per grid, so that one grid's
-- surplus never hides another grid's shortfall.
with

grid_coverage as (
    select * from {{ ref('metric_grid_coverage') }}
),

{% set measures %}
        {{ count_where('true') }} as grids_active,
        {{ count_where("worker_id is not null") }} as grids_with_worker,
        {{ count_where("backup_worker_id is not null") }} as grids_with_backup_worker,
        {{ count_where("assigned_worker_records > 0") }} as grids_with_active_worker,
        {{ count_where("patrols > 0") }} as grids_patrolled,
        {{ count_where("patrolled_working_days >= required_patrol_days") }} as grids_patrolled_at_frequency,
        {{ count_where("is_outside_size_band") }} as grids_outside_size_band,
        {{ sum_count('required_patrol_days') }} as required_patrol_days,
        {{ sum_count('least(patrolled_working_days, required_patrol_days)') }} as patrolled_working_days,
        {{ sum_count('households') }} as households_in_grid_tables,
        {{ sum_count('households_visited') }} as households_visited,
        {{ sum_count('least(households_visited_in_window, household_visit_target)') }} as households_visited_in_window,
        {{ sum_count('household_visit_target') }} as household_visit_target,
        {{ sum_count('key_persons_visited') }} as key_persons_visited,
        {{ sum_count('case when key_person_visit_target is not null
            then least(key_persons_visited_in_window, key_person_visit_target) end') }} as key_persons_visited_in_window,
        {{ sum_count('key_person_visit_target') }} as key_person_visit_target
{% endset %}

final as (
    {{ by_area_levels('grid_coverage', measures) }}
)

select * from final
