-- One row per case accepted (voided cases excluded) and period (month, quarter) of its acceptance:
-- the accepted cohort (应结案数, GB/T 30428) that metric_case_cohorts and kpi_case_mix count.
{{ config(materialized='view') }}

with

cases as (
    select * from {{ ref('fct_cases') }}
    where not is_void and accepted_at is not null
),

periods as (
    select * from {{ ref('int_periods') }}
),

final as (
    select
        cases.*,
        periods.period_type,
        periods.period_start
    from cases
    inner join periods
        on cast(cases.accepted_at as date) between periods.period_start and periods.as_of_date
)

select * from final
