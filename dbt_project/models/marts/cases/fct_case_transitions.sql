-- One row per workflow step of a case, numbered within the case, with the step before it.
-- Incremental like fct_cases: the cases whose source fingerprint changed are rebuilt whole.
{{ config(
    materialized='incremental',
    unique_key='case_id',
    incremental_strategy=case_facts_strategy(),
    partition_by=case_facts_partition('step_month'),
    on_schema_change='sync_all_columns',
    post_hook=case_facts_cleanup("delete from {{ this }} where case_id not in (select case_id from {{ ref('stg_cases__transitions') }})"),
) }}
{% set only_changed = incremental_is_current(['file_hash', 'case_id']) %}

with

transitions as (
    select * from {{ ref('stg_cases__transitions') }}
),

-- read by the incremental branch below only
cases as (  -- noqa: ST03
    select case_id, source_fingerprint from {{ ref('int_cases_pivoted') }}
),

{% if only_changed %}
stored as (
    select case_id, {{ case_source_fingerprint() }} as source_fingerprint
    from {{ this }}
    group by case_id
),

to_refresh as (
    select cases.case_id
    from cases
    left join stored on cases.case_id = stored.case_id
    where stored.case_id is null or stored.source_fingerprint <> cases.source_fingerprint
),

{% if case_facts_overwrite_months() %}
-- the months to rewrite: those of the changed cases' steps, now and as stored, and of cases gone
refreshed_months as (
    select {{ month_or_none('transitions.step_at') }} as step_month
    from transitions
    where transitions.case_id in (select to_refresh.case_id from to_refresh)
    union
    select coalesce(stored_steps.step_month, date '1900-01-01') as step_month
    from {{ this }} as stored_steps
    where stored_steps.case_id in (select to_refresh.case_id from to_refresh)
        or stored_steps.case_id not in (select cases.case_id from cases)
),
{% endif %}
{% endif %}

sequenced as (
    select
        *,
        row_number() over (partition by case_id order by step_at, source_file, source_row) as step_number,
        lag(action) over (partition by case_id order by step_at, source_file, source_row) as previous_action,
        lag(step_at) over (partition by case_id order by step_at, source_file, source_row) as previous_step_at,
        lag(handling_level) over (partition by case_id order by step_at, source_file, source_row) as previous_level
    from transitions
    {% if only_changed and case_facts_overwrite_months() %}
    -- every step of a case with a step in those months: the numbering and the previous step span months
    where case_id in (
        select transitions.case_id from transitions
        where {{ month_or_none('transitions.step_at') }} in (select refreshed_months.step_month from refreshed_months)
    )
    {% elif only_changed %}
    where case_id in (select to_refresh.case_id from to_refresh)
    {% endif %}
),

final as (
    select
        case_id,
        step_number,
        step_at,
        cast(step_at as date) as step_date,
        action,
        actor_role,
        actor_name_masked,
        handling_level,
        previous_action,
        previous_level,
        previous_step_at,
        {{ dbt.datediff('previous_step_at', 'step_at', 'minute') }} as minutes_since_previous_step,
        handling_level > coalesce(previous_level, handling_level) as is_level_raised,
        grid_code,
        category,
        subcategory,
        work_type,
        channel,
        satisfaction,
        file_hash,
        source_file,
        source_row,
        cast({{ dbt.date_trunc('month', 'step_at') }} as date) as step_month
    from sequenced
    {% if only_changed and case_facts_overwrite_months() %}
    where {{ month_or_none('step_at') }} in (select refreshed_months.step_month from refreshed_months)
    {% endif %}
)

select * from final
