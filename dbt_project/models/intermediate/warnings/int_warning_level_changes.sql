-- Every change of a case's handling level: the step at which the level differs from the step
-- before (an 升级 or any later re-levelling). The level of a case at a time is the level of its
-- latest change by then, or its initial level.
with

transitions as (
    select case_id, step_at, source_file, source_row, handling_level from {{ ref('stg_cases__transitions') }}
),

ordered as (
    select
        case_id,
        step_at,
        handling_level,
        lag(handling_level) over (partition by case_id order by step_at, source_file, source_row) as previous_level,
        row_number() over (partition by case_id order by step_at, source_file, source_row) as step_number
    from transitions
),

final as (
    select case_id, step_at as changed_at, handling_level, step_number
    from ordered
    where previous_level is not null and handling_level <> previous_level
)

select * from final
