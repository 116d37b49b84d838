-- Accumulating snapshot: one row per case with every stage time, its working-day deadline and
-- on-time flags. Incremental: a run rebuilds only the cases whose source files changed (new,
-- re-exported or backfilled day files: source_fingerprint), whose grid version changed, or that
-- were accepted within var('case_lookback_days') of the latest acceptance; a full refresh gives
-- the same rows.
{{ config(
    materialized='incremental',
    unique_key='case_id',
    incremental_strategy=case_facts_strategy(),
    partition_by=case_facts_partition('accepted_month'),
    on_schema_change='sync_all_columns',
    post_hook=case_facts_cleanup("delete from {{ this }} where case_id not in (select case_id from {{ ref('int_cases_pivoted') }})"),
) }}
{% set only_changed = incremental_is_current(['source_fingerprint', 'grid_version_id', 'accepted_at']) %}

with

cases as (
    select * from {{ ref('int_cases_pivoted') }}
),

deadlines as (
    select * from {{ ref('int_case_deadlines') }}
),

located as (
    select * from {{ ref('int_cases_located') }}
),

{% if only_changed %}
stored as (
    select case_id, source_fingerprint, grid_version_id, accepted_at from {{ this }}
),

to_refresh as (
    select cases.case_id
    from cases
    inner join located on cases.case_id = located.case_id
    left join stored on cases.case_id = stored.case_id
    where stored.case_id is null
        or stored.source_fingerprint <> cases.source_fingerprint
        or coalesce(stored.grid_version_id, '') <> coalesce(located.grid_version_id, '')
        or cases.accepted_at >= (
            select {{ dbt.dateadd('day', -var('case_lookback_days'), 'max(accepted_at)') }} from stored
        )
),

{% if case_facts_overwrite_months() %}
-- the months to rewrite: those of the changed cases, now and as stored, and of cases gone from the lake
refreshed_months as (
    select {{ month_or_none('cases.accepted_at') }} as accepted_month
    from cases
    where cases.case_id in (select to_refresh.case_id from to_refresh)
    union
    select {{ month_or_none('stored.accepted_at') }} as accepted_month
    from stored
    where stored.case_id in (select to_refresh.case_id from to_refresh)
        or stored.case_id not in (select cases.case_id from cases)
),
{% endif %}
{% endif %}

final as (
    select
        cases.case_id,
        cases.grid_code,
        located.grid_version_id,
        located.community_code,
        located.street_code,
        cases.category,
        located.category_code,
        cases.subcategory,
        located.subcategory_code,
        cases.work_type,
        cases.channel,
        located.channel_code,
        cases.initial_level,
        cases.final_level,
        cases.reported_at,
        cases.accepted_at,
        cases.registered_at,
        cases.dispatched_at,
        cases.handled_at,
        cases.fed_back_at,
        cases.verified_at,
        cases.closed_at,
        cases.evaluated_at,
        cases.voided_at,
        cases.satisfaction,
        cases.rework_count,
        cases.extension_count,
        cases.escalation_count,
        cases.transition_count,
        deadlines.sla_working_days,
        deadlines.due_date,
        cast({{ dbt.date_trunc('month', 'cases.accepted_at') }} as date) as accepted_month,
        cast({{ dbt.date_trunc('month', 'cases.closed_at') }} as date) as closed_month,
        cases.voided_at is not null as is_void,
        cases.closed_at is not null and cases.voided_at is null as is_closed,
        deadlines.is_closed_on_time,
        deadlines.is_handled_on_time,
        deadlines.working_days_to_close,
        cases.satisfaction in ('满意', '基本满意') as is_satisfied,
        cases.description_masked,
        cases.last_step_at,
        cases.source_fingerprint
    from cases
    inner join deadlines on cases.case_id = deadlines.case_id
    inner join located on cases.case_id = located.case_id
    {% if only_changed and case_facts_overwrite_months() %}
    where {{ month_or_none('cases.accepted_at') }} in (select refreshed_months.accepted_month from refreshed_months)
    {% elif only_changed %}
    where cases.case_id in (select to_refresh.case_id from to_refresh)
    {% endif %}
)

select * from final
