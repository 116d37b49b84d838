with

source as (
    select * from {{ source('lake', 'patrols') }}
),

renamed as (
    select
        record_id,
        worker_id,
        grid_code,
        community_code,
        started_at,
        ended_at,
        patrol_type,
        coalesce(households_visited, 0) as households_visited,
        coalesce(key_persons_visited, 0) as key_persons_visited,
        reported_case_ids,
        log_text as log_text_masked,
        cast(report_month || '-01' as date) as month_start,
        source_file,
        source_row
    from source
)

select * from renamed
