-- The hotline limits are single numbers: exactly one row each of response_limit_hours and
-- repeat_window_days in the seed hotline_settings, with a numeric value. Rows returned fail.
with

expected as (
    select 'response_limit_hours' as name
    union all
    select 'repeat_window_days' as name
),

settings as (
    select * from {{ ref('hotline_settings') }}
),

counted as (
    select
        name,
        count(*) as values_given,
        {{ count_where('try_cast(value as double) is null') }} as values_not_numeric
    from settings
    group by name
)

select expected.name, coalesce(counted.values_given, 0) as values_given, counted.values_not_numeric
from expected
left join counted on expected.name = counted.name
where coalesce(counted.values_given, 0) <> 1 or counted.values_not_numeric > 0
