-- One row per case: the time of each workflow stage, the counts of side steps, and a fingerprint
-- of the lake files its steps came from (a re-export, late step or backfill changes it). A table:
-- the incremental case facts compare every case's fingerprint on every run.

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
    select case_id, grid_code, category, subcategory, work_type, channel, handling_level as initial_level, description_masked
    from ordered
    where step_number = 1
),

last_step as (
    select case_id, handling_level as final_level
    from ordered
    where steps_from_end = 1
),

last_evaluation as (
    select
        case_id,
        satisfaction,
        row_number() over (partition by case_id order by step_at desc, source_file desc, source_row desc) as recency
    from ordered
    where action = '评价'
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
        min(step_at) as first_step_at,
        max(step_at) as last_step_at,
        {{ count_where("action = '回退'") }} as rework_count,
        {{ count_where("action = '延期'") }} as extension_count,
        {{ count_where("action = '升级'") }} as escalation_count,
        count(*) as transition_count,
        {{ case_source_fingerprint() }} as source_fingerprint
    from ordered
    group by case_id
),

final as (
    select
        stages.*,
        first_step.grid_code,
        first_step.category,
        first_step.subcategory,
        first_step.work_type,
        first_step.channel,
        first_step.description_masked,
        first_step.initial_level,
        last_step.final_level,
        last_evaluation.satisfaction
    from stages
    inner join first_step on stages.case_id = first_step.case_id
    inner join last_step on stages.case_id = last_step.case_id
    left join last_evaluation on stages.case_id = last_evaluation.case_id and last_evaluation.recency = 1
)

select * from final
