-- Every case open at the end of each as-of day, with its chance of missing its deadline (DESIGN.md
-- §9). A case is open from its acceptance until it is closed or voided. What is known at the end of
-- the day: its handling level (that of its latest level change by then, int_warning_level_changes) and deadline (extended when a
-- 延期 step came), and the working days it has been open, e. Its group's time-to-close distribution
-- of the day's estimate week gives S(k), the chance of still being open after k working days; the
-- case is already known to take more than e, so the chance of missing a deadline of D working days
-- (of still being open after D) is S(D) / S(e); at the end of its Dth working day an open case is
-- overdue (chance 1). Cases with an extension use the distribution of extended cases (level 0). still_open_chance = S(e) is how unusual it is for a
-- case of its kind to be open this long.
with

settings as (
    select * from {{ ref('int_warning_settings') }}
),

cases as (
    select * from {{ ref('int_warning_cases') }}
),

days as (
    select * from {{ ref('int_warning_days') }}
),

survival as (
    select * from {{ ref('int_warning_survival') }}
),

group_sizes as (
    select distinct estimate_week, category, handling_level, group_cases from survival
),

survival_span as (
    select max(working_days) as longest_working_days from survival
),

open_cases as (
    select
        days.as_of_date,
        days.estimate_week,
        cases.case_id,
        cases.grid_code,
        cases.community_code,
        cases.street_code,
        cases.category,
        cases.accepted_at,
        cases.is_closed_on_time,
        cases.closed_at,
        cases.initial_level,
        days.working_day_number - cases.accepted_working_day_number as working_days_open,
        cases.extended_at < {{ dbt.dateadd('day', 1, 'days.as_of_date') }} as is_extended
    from days
    inner join cases
        on cases.accepted_at < {{ dbt.dateadd('day', 1, 'days.as_of_date') }}
        and (cases.closed_at is null or cases.closed_at >= {{ dbt.dateadd('day', 1, 'days.as_of_date') }})
        and (cases.voided_at is null or cases.voided_at >= {{ dbt.dateadd('day', 1, 'days.as_of_date') }})
    where cases.category is not null and cases.initial_level is not null
),

day_levels as (
    {{ levels_known_before('open_cases', 'as_of_date', dbt.dateadd('day', 1, 'open_cases.as_of_date')) }}
),

leveled as (
    select
        open_cases.*,
        coalesce(day_levels.handling_level, open_cases.initial_level) as handling_level
    from open_cases
    left join day_levels
        on open_cases.as_of_date = day_levels.as_of_date
        and open_cases.case_id = day_levels.case_id
        and day_levels.recency = 1
),

with_deadline as (
    select
        leveled.*,
        case
            when coalesce(leveled.is_extended, false) then {{ var('max_extended_working_days') }}
            else sla.working_days
        end as deadline_working_days,
        case when coalesce(leveled.is_extended, false) then 0 else leveled.handling_level end as survival_level
    from leveled
    left join {{ ref('sla_by_level') }} as sla on leveled.handling_level = sla.handling_level
),

group_choice as (
    select
        with_deadline.*,
        case
            when coalesce(own_group.group_cases, 0) >= settings.risk_min_group_cases then with_deadline.category
            else '*'
        end as survival_group
    from with_deadline
    cross join settings
    left join group_sizes as own_group
        on with_deadline.estimate_week = own_group.estimate_week
        and with_deadline.category = own_group.category
        and with_deadline.survival_level = own_group.handling_level
),

final as (
    select
        group_choice.as_of_date,
        group_choice.case_id,
        group_choice.grid_code,
        group_choice.community_code,
        group_choice.street_code,
        group_choice.category,
        group_choice.handling_level,
        group_choice.survival_group,
        group_choice.accepted_at,
        group_choice.working_days_open,
        group_choice.deadline_working_days,
        group_choice.working_days_open >= group_choice.deadline_working_days as is_overdue,
        coalesce(now_open.still_open_share, 1.0) as still_open_chance,
        case
            when group_choice.working_days_open >= group_choice.deadline_working_days then 1.0
            when coalesce(now_open.still_open_share, 1.0) <= 0 then 1.0
            else least(coalesce(at_deadline.still_open_share, 0.0) / coalesce(now_open.still_open_share, 1.0), 1.0)
        end as miss_chance,
        coalesce(now_open.group_cases, 0) as history_cases,
        group_choice.closed_at,
        group_choice.is_closed_on_time
    from group_choice
    cross join survival_span
    left join survival as now_open
        on group_choice.estimate_week = now_open.estimate_week
        and group_choice.survival_group = now_open.category
        and group_choice.survival_level = now_open.handling_level
        and least(group_choice.working_days_open, survival_span.longest_working_days) = now_open.working_days
    left join survival as at_deadline
        on group_choice.estimate_week = at_deadline.estimate_week
        and group_choice.survival_group = at_deadline.category
        and group_choice.survival_level = at_deadline.handling_level
        and group_choice.deadline_working_days = at_deadline.working_days
)

select * from final
