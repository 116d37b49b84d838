{#- source() for every adapter: DuckDB keeps dbt-duckdb's relation (its `external_location` meta
    reads the lake with read_parquet); an engine without that meta (Spark) reads the same Parquet
    files by path, `parquet.`<lake>/<lake_glob>`` (the source's `lake_glob` meta, `{name}` replaced by
    the table's name). builtins.source is always called, so dbt records the edge. -#}
{% macro source(source_name, table_name) %}
    {% set relation = builtins.source(source_name, table_name) %}
    {{ return(adapter.dispatch('lake_source')(relation, source_name, table_name)) }}
{% endmacro %}

{% macro default__lake_source(relation, source_name, table_name) %}
    {{ return(relation) }}
{% endmacro %}

{% macro spark__lake_source(relation, source_name, table_name) %}
    {% if not execute %}
        {{ return(relation) }}
    {% endif %}
    {% set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] %}
    {% set glob = node.meta.get('lake_glob') or node.source_meta.get('lake_glob') %}
    {% if not glob %}
        {{ exceptions.raise_compiler_error('source ' ~ source_name ~ '.' ~ table_name ~ ' has no lake_glob meta') }}
    {% endif %}
    {{ return(parquet_path_relation(lake_path(glob | replace('{name}', table_name)))) }}
{% endmacro %}

{#- A Spark relation over Parquet files by path (a glob is allowed). -#}
{% macro parquet_path_relation(path) -%}
    {{ return('parquet.`' ~ path ~ '`') }}
{%- endmacro %}
