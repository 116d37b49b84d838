with

source as (
    select * from {{ source('lake', 'cases') }}
),

renamed as (
    select
        case_id,
        step_at,
        action,
        actor_name as actor_name_masked,
        actor_role,
        handling_level,
        category,
        subcategory,
        work_type,
        channel,
        grid_code,
        description as description_masked,
        satisfaction,
        cast(report_month || '-01' as date) as export_month_start,
        file_hash,
        source_file,
        source_row
    from source
)

select * from renamed
