-- One row per grid and month it is in force: the grid version of the month is the latest version
-- in force during the month (for a redraw on the 1st, the new one from that month on).
with

grid_days as (
    select * from {{ ref('int_grid_days') }}
),

versions as (
    select * from {{ ref('int_grids_versioned') }}
),

version_months as (
    select
        grid_code,
        month_start,
        grid_version_id,
        count(*) as days_in_force,
        {{ count_where("is_working_day") }} as working_days_in_force
    from grid_days
    group by grid_code, month_start, grid_version_id
),

ranked as (
    select
        version_months.*,
        versions.community_code,
        sum(version_months.days_in_force) over (
            partition by version_months.grid_code, version_months.month_start
        ) as grid_days_in_force,
        sum(version_months.working_days_in_force) over (
            partition by version_months.grid_code, version_months.month_start
        ) as grid_working_days_in_force,
        row_number() over (
            partition by version_months.grid_code, version_months.month_start order by versions.valid_from desc
        ) as recency
    from version_months
    inner join versions on version_months.grid_version_id = versions.grid_version_id
),

final as (
    select
        grid_code,
        month_start,
        grid_version_id,
        community_code,
        grid_days_in_force as days_in_force,
        grid_working_days_in_force as working_days_in_force
    from ranked
    where recency = 1
)

select * from final
