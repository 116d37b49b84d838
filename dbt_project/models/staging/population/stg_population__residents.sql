with

source as (
    select * from {{ source('lake', 'population') }}
),

renamed as (
    select
        person_id,
        id_kind,
        cast(report_month || '-01' as date) as month_start,
        community_code,
        grid_code,
        name as name_masked,
        sex,
        birth_date,
        region_code,
        ethnicity,
        registration_type,
        residence_status,
        relation_to_head,
        building,
        unit,
        room,
        tags,
        phone as phone_masked,
        registered_date,
        updated_date,
        source_file,
        file_hash,
        source_row
    from source
)

select * from renamed
