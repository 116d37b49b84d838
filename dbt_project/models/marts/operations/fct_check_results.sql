-- The quality gate's verdict on every landed batch: one row per check per batch, latest validation.
with

check_results as (
    select * from {{ ref('stg_lake__check_results') }}
),

communities as (
    select * from {{ ref('dim_communities') }}
),

final as (
    select
        check_results.batch_key,
        check_results.source_name,
        check_results.scope_code,
        check_results.community_code,
        communities.community_name,
        check_results.report_month,
        check_results.month_start,
        check_results.check_name,
        check_results.check_title,
        check_results.severity,
        check_results.severity = 'blocking' as is_blocking,
        check_results.is_success,
        check_results.observed_value,
        check_results.observed_number,
        check_results.expected,
        check_results.unexpected_count,
        check_results.element_count,
        check_results.unexpected_percent,
        check_results.examples,
        check_results.fix_hint,
        check_results.suite_name,
        check_results.expectation_type,
        check_results.column_name,
        check_results.batch_rows,
        check_results.batch_files,
        check_results.checked_at,
        check_results.run_id,
        check_results.thresholds_version
    from check_results
    left join communities on check_results.community_code = communities.community_code
)

select * from final
