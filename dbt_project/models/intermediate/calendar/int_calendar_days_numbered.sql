-- Number the working days so that "N working days after" is a lookup, not a loop.
with

days as (
    select * from {{ ref('stg_lake__calendar_days') }}
),

numbered as (
    select
        calendar_date,
        is_working_day,
        is_holiday,
        holiday_name,
        cast(sum(case when is_working_day then 1 else 0 end) over (
            order by calendar_date rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as working_day_number
    from days
)

select * from numbered
