-- Every case deadline is a working day of the Chinese calendar (holidays and 调休 make-up days).
select cases.case_id, cases.due_date
from {{ ref('fct_cases') }} as cases
left join {{ ref('dim_calendar') }} as calendar on cases.due_date = calendar.calendar_date
where cases.due_date is not null
    and (calendar.calendar_date is null or not calendar.is_working_day)
