-- One row per case: the time of each workflow stage, the counts of side steps, and a fingerprint
-- of the lake files its steps came from (a re-export, late step or backfill changes it). A table:
-- the incremental case facts compare every case's fingerprint on every run. Steps are ordered by
-- (step_at, source_file, source_row); the first step gives the case's place and taxonomy, the last
-- its final level, the last evaluation its satisfaction. One aggregate over the steps.
{%- set step_order = ['step_at', 'source_file', 'source_row'] %}
{%- set first_step_columns = ['grid_code', 'category', 'subcategory', 'work_type', 'channel', 'description_masked', 'handling_level'] %}

with

transitions as (
    select * from {{ ref('stg_cases__transitions') }}
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
        {{ case_source_fingerprint() }} as source_fingerprint,
        {{ first_by(record(first_step_columns), step_order) }} as first_step,
        {{ last_by('handling_level', step_order) }} as final_level,
        {{ last_by('satisfaction', step_order, where="action = '评价'") }} as satisfaction
    from transitions
    group by case_id
),

final as (
    select
        stages.case_id,
        stages.reported_at,
        stages.accepted_at,
        stages.registered_at,
        stages.dispatched_at,
        stages.handled_at,
        stages.fed_back_at,
        stages.verified_at,
        stages.closed_at,
        stages.evaluated_at,
        stages.voided_at,
        stages.first_step_at,
        stages.last_step_at,
        stages.rework_count,
        stages.extension_count,
        stages.escalation_count,
        stages.transition_count,
        stages.source_fingerprint,
        stages.first_step.grid_code,
        stages.first_step.category,
        stages.first_step.subcategory,
        stages.first_step.work_type,
        stages.first_step.channel,
        stages.first_step.description_masked,
        stages.first_step.handling_level as initial_level,
        stages.final_level,
        stages.satisfaction
    from stages
)

select * from final
