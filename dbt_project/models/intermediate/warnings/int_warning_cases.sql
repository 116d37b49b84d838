-- One row per case with what the warnings need to know of it at any as-of day: its place (the
-- road-and-number or estate-and-building words its description opens with), the time its deadline
-- was extended, its working-day numbers and the SLA of its initial and final level.
with

cases as (
    select * from {{ ref('int_cases_pivoted') }}
),

located as (
    select * from {{ ref('int_cases_located') }}
),

deadlines as (
    select * from {{ ref('int_case_deadlines') }}
),

transitions as (
    select case_id, action, step_at from {{ ref('stg_cases__transitions') }}
),

sla as (
    select * from {{ ref('sla_by_level') }}
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

step_times as (
    select
        case_id,
        min(case when action = '延期' then step_at end) as extended_at
    from transitions
    group by case_id
),

final as (
    select
        cases.case_id,
        cases.grid_code,
        located.community_code,
        located.street_code,
        cases.category,
        nullif({{ case_place('cases.description_masked') }}, '') as place,
        cases.initial_level,
        cases.final_level,
        initial_sla.working_days as initial_sla_working_days,
        final_sla.working_days as final_sla_working_days,
        step_times.extended_at,
        cases.reported_at,
        cases.accepted_at,
        cases.closed_at,
        cases.voided_at,
        accepted_day.working_day_number as accepted_working_day_number,
        deadlines.working_days_to_close,
        deadlines.is_closed_on_time
    from cases
    left join located on cases.case_id = located.case_id
    left join deadlines on cases.case_id = deadlines.case_id
    left join step_times on cases.case_id = step_times.case_id
    left join sla as initial_sla on cases.initial_level = initial_sla.handling_level
    left join sla as final_sla on cases.final_level = final_sla.handling_level
    left join calendar as accepted_day on cast(cases.accepted_at as date) = accepted_day.calendar_date
    where cases.accepted_at is not null
)

select * from final
