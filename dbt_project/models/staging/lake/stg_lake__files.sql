with

source as (
    select * from {{ source('lake_meta', 'ledger') }}
),

renamed as (
    select
        file_path,
        file_hash,
        source as source_name,
        community_code,
        report_month,
        slice_key,
        received_at,
        rows_read,
        rows_landed,
        rows_quarantined,
        rows_already_landed,
        months,
        status as file_status,
        reject_code,
        message,
        duplicate_of
    from source
)

select * from renamed
