-- One row per case: the time of each workflow stage and the counts of side steps.
with

transitions as (
    select * from {{ ref('stg_cases__transitions') }}
),

ordered as (
    select
        *,
        row_number() over (partition by case_id order by step_at, source_file, source_row) as step_number,
        row_number() over (partition by case_id order by step_at desc, source_file desc, source_row desc) as steps_from_end
    from transitions
),

first_step as (
    select case_id, grid_code, category, subcategory, work_type, channel, description_masked
    from ordered
    where step_number = 1
),

last_step as (
    select case_id, handling_level as final_level
    from ordered
    where steps_from_end = 1
),

stages as (
    select
        case_id,
        min(case when action = '上报' then step_at end) as reported_at,
        min(case when action = '受理' then step_at end) as accepted_at,
        min(case when action = '立案' then step_at end) as registered_at,
        min(case when action = '派遣' then step_at end) as dispatched_at,
        max(case when action = '处置' then step_at end) as handled_at,
        max(case when action = '反馈' then step_at end) as fed_back_at,
        max(case when action = '核查' then step_at end) as verified_at,
        max(case when action = '结案' then step_at end) as closed_at,
        max(case when action = '评价' then step_at end) as evaluated_at,
        min(case when action = '作废' then step_at end) as voided_at,
        max(case when action = '评价' then satisfaction end) as satisfaction,
        min(handling_level) as initial_level,
        sum(case when action = '回退' then 1 else 0 end) as rework_count,
        sum(case when action = '延期' then 1 else 0 end) as extension_count,
        sum(case when action = '升级' then 1 else 0 end) as escalation_count,
        count(*) as transition_count
    from ordered
    group by case_id
),

joined as (
    select
        stages.*,
        first_step.grid_code,
        first_step.category,
        first_step.subcategory,
        first_step.work_type,
        first_step.channel,
        first_step.description_masked,
        last_step.final_level
    from stages
    inner join first_step on stages.case_id = first_step.case_id
    inner join last_step on stages.case_id = last_step.case_id
)

select * from joined
