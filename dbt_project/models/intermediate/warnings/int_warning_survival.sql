-- Time-to-close distributions for deadline risk (DESIGN.md §9), re-estimated every week from what
-- was known before it: for each estimate week (Monday) and group, the Kaplan–Meier chance S(k) that
-- a case is still open after k working days. The history is every case accepted in the
-- risk_history_days days before the week: a case closed before the week counts its working days
-- to close; a case still open is censored at the working days it has been open (it is known only
-- to take longer); voided cases are left out. Groups: category × handling level (the level known
-- at the start of the week; level 0 stands for cases whose deadline was extended, which run on a
-- longer clock) and, for categories with few cases, the level across all categories (category
-- '*'). k runs from 0 to the longest duration seen in any group.
with

settings as (
    select * from {{ ref('int_warning_settings') }}
),

cases as (
    select * from {{ ref('int_warning_cases') }}
),

weeks as (
    select distinct estimate_week from {{ ref('int_warning_days') }}
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

counts as (
    select * from {{ ref('int_warning_counts') }}
),

-- The level of each case known at the start of each week it is in the history of.
week_cases as (
    select
        weeks.estimate_week,
        cases.*
    from weeks
    cross join settings
    inner join cases
        on cases.accepted_at < weeks.estimate_week
        and cases.accepted_at >= {{ dbt.dateadd('day', '-settings.risk_history_days', 'weeks.estimate_week') }}
        and (cases.voided_at is null or cases.voided_at >= weeks.estimate_week)
    where cases.category is not null and cases.initial_level is not null
),

week_levels as (
    {{ levels_known_before('week_cases', 'estimate_week', 'week_cases.estimate_week') }}
),

history as (
    select
        week_cases.estimate_week,
        week_cases.category,
        case
            when week_cases.extended_at < week_cases.estimate_week then 0
            else coalesce(week_levels.handling_level, week_cases.initial_level)
        end as handling_level,
        case
            when week_cases.closed_at < week_cases.estimate_week then week_cases.working_days_to_close
            else week_eve.working_day_number - week_cases.accepted_working_day_number
        end as working_days,
        case when week_cases.closed_at < week_cases.estimate_week then 1 else 0 end as is_closed
    from week_cases
    inner join calendar as week_eve on week_eve.calendar_date = {{ dbt.dateadd('day', -1, 'week_cases.estimate_week') }}
    left join week_levels
        on week_cases.estimate_week = week_levels.estimate_week
        and week_cases.case_id = week_levels.case_id
        and week_levels.recency = 1
),

known as (
    select * from history where working_days is not null
),

grouped as (
    select estimate_week, category, handling_level, working_days, is_closed from known
    union all
    select estimate_week, '*' as category, handling_level, working_days, is_closed from known
),

durations as (
    select
        estimate_week,
        category,
        handling_level,
        working_days,
        sum(is_closed) as closed_cases,
        count(*) as cases
    from grouped
    group by estimate_week, category, handling_level, working_days
),

at_risk as (
    select
        *,
        sum(cases) over (
            partition by estimate_week, category, handling_level order by working_days desc
            rows between unbounded preceding and current row
        ) as cases_at_risk,
        sum(cases) over (partition by estimate_week, category, handling_level) as group_cases
    from durations
),

survival_at_events as (
    select
        *,
        exp(sum(ln(greatest(1 - cast(closed_cases as {{ type_double() }}) / cases_at_risk, 1e-12))) over (
            partition by estimate_week, category, handling_level order by working_days
            rows between unbounded preceding and current row
        )) as still_open_share
    from at_risk
),

group_sizes as (
    select distinct estimate_week, category, handling_level, group_cases from at_risk
),

longest as (
    select max(working_days) as working_days from durations
),

steps as (
    select
        group_sizes.estimate_week,
        group_sizes.category,
        group_sizes.handling_level,
        group_sizes.group_cases,
        counts.k as working_days,
        survival_at_events.still_open_share
    from group_sizes
    cross join longest
    inner join counts on counts.k <= longest.working_days + 1
    left join survival_at_events
        on group_sizes.estimate_week = survival_at_events.estimate_week
        and group_sizes.category = survival_at_events.category
        and group_sizes.handling_level = survival_at_events.handling_level
        and counts.k = survival_at_events.working_days
),

final as (
    select
        estimate_week,
        category,
        handling_level,
        group_cases,
        working_days,
        coalesce(min(still_open_share) over (
            partition by estimate_week, category, handling_level order by working_days
            rows between unbounded preceding and current row
        ), 1.0) as still_open_share
    from steps
)

select * from final
