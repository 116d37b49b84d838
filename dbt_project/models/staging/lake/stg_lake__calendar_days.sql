with

source as (
    select * from {{ source('lake_meta', 'calendar') }}
),

renamed as (
    select
        calendar_date,
        is_working_day,
        is_holiday,
        holiday_name
    from source
)

select * from renamed
