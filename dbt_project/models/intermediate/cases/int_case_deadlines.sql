-- Deadline convention (DESIGN.md §4.6): a case with an SLA of N working days is due at the end of
-- the Nth working day after the day it was accepted; after an extension (延期) N is the cap
-- var('max_extended_working_days'). 处置 and 结案 are on time when they happen before that end.
{{ config(materialized='view') }}

with

cases as (
    select case_id, accepted_at, handled_at, closed_at, final_level, extension_count
    from {{ ref('int_cases_pivoted') }}
),

sla as (
    select * from {{ ref('sla_by_level') }}
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
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
        cast({{ dbt.dateadd('day', 1, 'due_day.calendar_date') }} as {{ dbt.type_timestamp() }}) as due_before,
        closed_day.working_day_number - with_sla.accepted_working_day_number as working_days_to_close
    from with_sla
    left join calendar as due_day
        on due_day.is_working_day
        and due_day.working_day_number = with_sla.accepted_working_day_number + with_sla.sla_working_days
    left join calendar as closed_day on cast(with_sla.closed_at as date) = closed_day.calendar_date
),

final as (
    select
        case_id,
        sla_working_days,
        due_date,
        coalesce(handled_at < due_before, false) as is_handled_on_time,
        coalesce(closed_at < due_before, false) as is_closed_on_time,
        working_days_to_close
    from with_deadline
)

select * from final
