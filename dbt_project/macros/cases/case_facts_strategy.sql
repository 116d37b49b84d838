{#- How the incremental case facts (fct_cases, fct_case_transitions) update their table.
    DuckDB: `delete+insert` on case_id of the changed cases, then a post-hook deletes the cases whose
    files left the lake. Spark without Delta or Iceberg (none can be installed offline) has neither
    DELETE nor MERGE on a Parquet table: `insert_overwrite` without partition_by replaces the whole
    table with the model's rows, so there the model selects every case (incremental_is_current answers
    false) and the clean-up hook is not needed. Partition-wise overwrite (by month) is future work. -#}
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

{#- Whether an incremental run may rebuild only the changed cases (a per-key delete is possible). -#}
{% macro incremental_rebuilds_changed_only() %}
    {{ return(adapter.dispatch('incremental_rebuilds_changed_only')()) }}
{% endmacro %}

{% macro default__incremental_rebuilds_changed_only() %}
    {{ return(true) }}
{% endmacro %}

{% macro spark__incremental_rebuilds_changed_only() %}
    {{ return(false) }}
{% endmacro %}
