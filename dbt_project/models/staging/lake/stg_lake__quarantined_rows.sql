with

source as (
    select * from {{ source('lake_meta', 'quarantine') }}
),

renamed as (
    select
        source as source_name,
        file_path,
        file_hash,
        sheet as sheet_name,
        report_month,
        slice_key,
        source_row,
        field as field_name,
        value as value_masked,
        reason_code,
        reason
    from source
)

select * from renamed
