-- One row per patrol or visit record, on the grid version in force on the day.
with

records as (
    select * from {{ ref('stg_patrols__records') }}
),

grid_days as (
    select * from {{ ref('int_grid_days') }}
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

final as (
    select
        records.record_id,
        records.worker_id,
        records.grid_code,
        grid_days.grid_version_id,
        records.community_code,
        records.started_at,
        records.ended_at,
        cast(records.started_at as date) as patrol_date,
        cast({{ dbt.date_trunc('month', 'records.started_at') }} as date) as month_start,
        calendar.is_working_day,
        {{ dbt.datediff('records.started_at', 'records.ended_at', 'minute') }} as duration_minutes,
        records.patrol_type,
        records.households_visited,
        records.key_persons_visited,
        records.reported_case_ids,
        records.log_text_masked,
        coalesce(records.log_text_masked, '') <> '' as has_log
    from records
    left join grid_days
        on records.grid_code = grid_days.grid_code
        and cast(records.started_at as date) = grid_days.calendar_date
    left join calendar on cast(records.started_at as date) = calendar.calendar_date
)

select * from final
