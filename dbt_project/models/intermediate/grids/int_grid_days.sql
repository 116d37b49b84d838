-- One row per grid version and day it is in force, over the data range (int_periods): the spine of
-- patrol coverage, of the grid version of a dated fact, and of each worker's assigned days.
with

versions as (
    select * from {{ ref('int_grids_versioned') }}
),

periods as (
    select * from {{ ref('int_periods') }}
    where period_type = 'month'
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

days as (
    select calendar.*, periods.period_start as month_start, periods.quarter_start, periods.year_start
    from calendar
    inner join periods
        on calendar.calendar_date between periods.period_start and periods.as_of_date
),

final as (
    select
        versions.grid_version_id,
        versions.grid_code,
        versions.community_code,
        versions.grid_type,
        versions.worker_id,
        versions.backup_worker_id,
        versions.household_count,
        days.calendar_date,
        days.month_start,
        days.quarter_start,
        days.year_start,
        days.is_working_day
    from versions
    inner join days
        on versions.valid_from <= days.calendar_date
        and (versions.valid_to is null or versions.valid_to >= days.calendar_date)
)

select * from final
