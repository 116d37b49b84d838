-- One row per grid version and day it is in force (over the data range): what was recorded in the
-- grid that day, by anyone and by the grid's own assigned worker.
with

grid_days as (
    select * from {{ ref('int_grid_days') }}
),

patrols as (
    select * from {{ ref('fct_patrols') }}
),

daily as (
    select
        grid_days.grid_version_id,
        grid_days.grid_code,
        grid_days.community_code,
        grid_days.calendar_date,
        grid_days.month_start,
        grid_days.is_working_day,
        grid_days.worker_id,
        count(patrols.record_id) as records,
        {{ count_where("patrols.patrol_type = '巡查'") }} as patrols,
        {{ count_where("patrols.patrol_type = '入户走访'") }} as home_visits,
        {{ count_where("patrols.patrol_type = '重点人员走访'") }} as key_person_visits,
        coalesce({{ sum_count('patrols.households_visited') }}, 0) as households_visited,
        coalesce({{ sum_count('patrols.key_persons_visited') }}, 0) as key_persons_visited,
        coalesce({{ sum_count("case when patrols.patrol_type = '巡查' then patrols.duration_minutes end") }}, 0) as patrol_minutes,
        {{ count_where("patrols.has_log") }} as records_with_log,
        {{ count_where("patrols.worker_id = grid_days.worker_id") }} as assigned_worker_records,
        {{ count_where("patrols.worker_id = grid_days.worker_id and patrols.patrol_type = '巡查'") }}
            as assigned_worker_patrols
    from grid_days
    left join patrols
        on grid_days.grid_code = patrols.grid_code and grid_days.calendar_date = patrols.patrol_date
    group by
        grid_days.grid_version_id, grid_days.grid_code, grid_days.community_code, grid_days.calendar_date,
        grid_days.month_start, grid_days.is_working_day, grid_days.worker_id
),

final as (
    select
        *,
        patrols > 0 as is_patrolled,
        records_with_log > 0 as has_log
    from daily
)

select * from final
