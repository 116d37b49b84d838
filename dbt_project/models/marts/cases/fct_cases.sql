-- Accumulating snapshot: one row per case, with its working-day deadline and on-time flags.
-- Deadline convention: N working days after acceptance ends at the end of the Nth working day
-- after the day of acceptance (DESIGN.md §4.6).
with

cases as (
    select * from {{ ref('int_cases_pivoted') }}
),

sla as (
    select * from {{ ref('sla_by_level') }}
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

grids as (
    select grid_code, min(community_code) as community_code
    from {{ ref('int_grids_versioned') }}
    group by grid_code
),

with_sla as (
    select
        cases.*,
        case
            when cases.extension_count > 0 then {{ var('max_extended_working_days') }}
            else sla.working_days
        end as sla_working_days,
        accepted_day.working_day_number as accepted_working_day_number
    from cases
    left join sla on cases.final_level = sla.handling_level
    left join calendar as accepted_day on cast(cases.accepted_at as date) = accepted_day.calendar_date
),

with_deadline as (
    select
        with_sla.*,
        due_day.calendar_date as due_date,
        {{ dbt.dateadd('day', 1, 'due_day.calendar_date') }} as due_before
    from with_sla
    left join calendar as due_day
        on due_day.is_working_day
        and due_day.working_day_number = with_sla.accepted_working_day_number + with_sla.sla_working_days
),

final as (
    select
        with_deadline.case_id,
        with_deadline.grid_code,
        grids.community_code,
        with_deadline.category,
        with_deadline.subcategory,
        with_deadline.work_type,
        with_deadline.channel,
        with_deadline.initial_level,
        with_deadline.final_level,
        with_deadline.reported_at,
        with_deadline.accepted_at,
        with_deadline.registered_at,
        with_deadline.dispatched_at,
        with_deadline.handled_at,
        with_deadline.fed_back_at,
        with_deadline.verified_at,
        with_deadline.closed_at,
        with_deadline.evaluated_at,
        with_deadline.voided_at,
        with_deadline.satisfaction,
        with_deadline.rework_count,
        with_deadline.extension_count,
        with_deadline.escalation_count,
        with_deadline.transition_count,
        with_deadline.sla_working_days,
        with_deadline.due_date,
        cast({{ dbt.date_trunc('month', 'with_deadline.accepted_at') }} as date) as accepted_month,
        cast({{ dbt.date_trunc('month', 'with_deadline.closed_at') }} as date) as closed_month,
        with_deadline.voided_at is not null as is_void,
        with_deadline.closed_at is not null and with_deadline.voided_at is null as is_closed,
        coalesce(with_deadline.closed_at < with_deadline.due_before, false) as is_closed_on_time,
        coalesce(with_deadline.handled_at < with_deadline.due_before, false) as is_handled_on_time,
        with_deadline.description_masked
    from with_deadline
    left join grids on with_deadline.grid_code = grids.grid_code
)

select * from final
