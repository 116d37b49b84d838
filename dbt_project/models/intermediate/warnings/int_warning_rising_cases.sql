-- Rising problems of cases: one row per grid × case category and as-of day whose count of the last
-- rising_window_days days crosses its upper limit (macro rising_warnings). Cases count on the day
-- they were reported; voided cases count too (a report is a report).
with

cases as (
    select grid_code, community_code, street_code, category, cast(reported_at as date) as event_date
    from {{ ref('int_warning_cases') }}
    where grid_code is not null and category is not null
),

warnings as (
    {{ rising_warnings('cases', ['grid_code', 'community_code', 'street_code']) }}
)

select * from warnings
