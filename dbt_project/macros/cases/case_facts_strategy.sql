{#- How the incremental case facts (fct_cases, fct_case_transitions) update their table.
    DuckDB: `delete+insert` on case_id of the changed cases, then a post-hook deletes the cases whose
    files left the lake. Spark without Delta or Iceberg (none can be installed offline) has neither
    DELETE nor MERGE on a Parquet table: the tables are partitioned by month and `insert_overwrite`
    replaces whole months (dynamic partition overwrite). An incremental run there selects every row of
    the months that hold a changed case, or held one before, or held a case that has left the lake;
    the other months' files stay untouched. (A month whose every case left the lake keeps its old
    partition until a full refresh.) -#}
{% macro case_facts_strategy() %}
    {{ return(adapter.dispatch('case_facts_strategy')()) }}
{% endmacro %}

{% macro default__case_facts_strategy() %}
    {{ return('delete+insert') }}
{% endmacro %}

{% macro spark__case_facts_strategy() %}
    {{ return('insert_overwrite') }}
{% endmacro %}

{#- The post-hook list of the case facts: `statement` where the table supports DELETE, none on Spark. -#}
{% macro case_facts_cleanup(statement) %}
    {{ return(adapter.dispatch('case_facts_cleanup')(statement)) }}
{% endmacro %}

{% macro default__case_facts_cleanup(statement) %}
    {{ return(statement) }}
{% endmacro %}

{% macro spark__case_facts_cleanup(statement) %}
    {{ return([]) }}
{% endmacro %}

{#- The month column the case facts are partitioned by where whole months are overwritten (Spark);
    none on DuckDB. -#}
{% macro case_facts_partition(column) %}
    {{ return(adapter.dispatch('case_facts_partition')(column)) }}
{% endmacro %}

{% macro default__case_facts_partition(column) %}
    {{ return(none) }}
{% endmacro %}

{% macro spark__case_facts_partition(column) %}
    {{ return([column]) }}
{% endmacro %}

{#- Whether an incremental run rewrites whole month partitions (Spark) instead of single cases. -#}
{% macro case_facts_overwrite_months() %}
    {{ return(case_facts_partition('month') is not none) }}
{% endmacro %}

{#- A month of a timestamp for a partition key: a timestamp without one (a case never accepted)
    compares as 1900-01 so that its partition is rewritten like any other. -#}
{% macro month_or_none(timestamp) -%}
    coalesce(cast({{ dbt.date_trunc('month', timestamp) }} as date), date '1900-01-01')
{%- endmacro %}
