-- One row per grid worker named in a grid table (as the grid's worker or its A/B backup), with the
-- grid they hold now (or held last).
with

versions as (
    select * from {{ ref('int_grids_versioned') }}
),

assignments as (
    select
        worker_id,
        worker_name,
        grid_code,
        community_code,
        valid_from,
        valid_to,
        row_number() over (partition by worker_id order by valid_from desc, grid_code asc) as recency
    from versions
    where worker_id is not null
),

backups as (
    select backup_worker_id as worker_id, count(*) as current_backup_grids
    from versions
    where backup_worker_id is not null and valid_to is null
    group by backup_worker_id
),

held as (
    select
        worker_id,
        min(valid_from) as first_assigned_on,
        count(distinct grid_code) as grids_held_total,
        {{ count_where("valid_to is null") }} as current_grids
    from assignments
    group by worker_id
),

workers as (
    select worker_id from assignments
    union
    select worker_id from backups
),

final as (
    select
        workers.worker_id,
        latest.worker_name,
        latest.grid_code as latest_grid_code,
        latest.community_code,
        held.first_assigned_on,
        latest.valid_to as last_assigned_on,
        coalesce(held.current_grids, 0) > 0 as is_active,
        coalesce(held.grids_held_total, 0) as grids_held_total,
        coalesce(backups.current_backup_grids, 0) as current_backup_grids
    from workers
    left join assignments as latest on workers.worker_id = latest.worker_id and latest.recency = 1
    left join held on workers.worker_id = held.worker_id
    left join backups on workers.worker_id = backups.worker_id
)

select * from final
