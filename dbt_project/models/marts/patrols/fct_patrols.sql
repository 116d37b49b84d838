with

records as (
    select * from {{ ref('stg_patrols__records') }}
),

final as (
    select
        record_id,
        worker_id,
        grid_code,
        community_code,
        started_at,
        ended_at,
        cast(started_at as date) as patrol_date,
        cast({{ dbt.date_trunc('month', 'started_at') }} as date) as month_start,
        {{ dbt.datediff('started_at', 'ended_at', 'minute') }} as duration_minutes,
        patrol_type,
        households_visited,
        key_persons_visited,
        reported_case_ids,
        log_text_masked
    from records
)

select * from final
