with

source as (
    select * from {{ source('lake', 'grids') }}
),

renamed as (
    select
        grid_code,
        grid_name,
        community_code,
        -- NBS codes nest: a community's first 9 digits are its street; one street sends one table
        substring(community_code, 1, 9) as street_code,
        community_name,
        grid_type,
        grid_type <> '常规' as is_exclusive,
        household_count,
        resident_count,
        grid_chief_name,
        worker_name,
        worker_id,
        backup_worker_id,
        valid_from,
        boundary_wkt,
        cast(report_month || '-01' as date) as table_as_of_date,
        source_file,
        source_row
    from source
)

select * from renamed
