-- The gate writes its results after ingest; a warehouse built before the first gate run (or a
-- Dagster run that skipped the checks) reads an empty, typed relation instead of failing.
{%- set results_glob = env_var('GRIDPULSE_LAKE', '../data/lake') ~ '/_quality/*/month=*/*.parquet' -%}
{%- set has_results = files_exist(results_glob) %}

with

source as (
    {% if has_results -%}
    select * from {{ source('lake_quality', 'check_results') }}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as run_id,
        cast(null as {{ dbt.type_timestamp() }}) as checked_at,
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as report_month,
        cast(null as {{ dbt.type_string() }}) as scope_code,
        cast(null as {{ dbt.type_string() }}) as community_code,
        cast(null as {{ dbt.type_string() }}) as batch_key,
        cast(null as {{ dbt.type_string() }}) as suite_name,
        cast(null as {{ dbt.type_string() }}) as check_name,
        cast(null as {{ dbt.type_string() }}) as check_title,
        cast(null as {{ dbt.type_string() }}) as expectation_type,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as severity,
        cast(null as {{ dbt.type_boolean() }}) as success,
        cast(null as {{ dbt.type_string() }}) as observed_value,
        cast(null as {{ dbt.type_float() }}) as observed_number,
        cast(null as {{ dbt.type_string() }}) as expected,
        cast(null as {{ dbt.type_bigint() }}) as unexpected_count,
        cast(null as {{ dbt.type_bigint() }}) as element_count,
        cast(null as {{ dbt.type_float() }}) as unexpected_percent,
        cast(null as {{ dbt.type_string() }}) as examples,
        cast(null as {{ dbt.type_string() }}) as fix_hint,
        cast(null as {{ dbt.type_bigint() }}) as batch_rows,
        cast(null as {{ dbt.type_bigint() }}) as batch_files,
        cast(null as {{ dbt.type_string() }}) as fingerprint,
        cast(null as {{ dbt.type_bigint() }}) as thresholds_version
    where 1 = 0
    {%- endif %}
),

renamed as (
    select
        batch_key,
        source as source_name,
        scope_code,
        community_code,
        report_month,
        cast(report_month || '-01' as date) as month_start,
        suite_name,
        check_name,
        check_title,
        expectation_type,
        column_name,
        severity,
        success as is_success,
        observed_value,
        observed_number,
        expected,
        unexpected_count,
        element_count,
        unexpected_percent,
        examples,
        fix_hint,
        batch_rows,
        batch_files,
        run_id,
        checked_at,
        fingerprint,
        thresholds_version
    from source
)

select * from renamed
