{#- Aggregate: the number of rows where `condition` holds, as a bigint (0 when none). -#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- Aggregate: sum of an integer count column, as a bigint. -#}
{% macro sum_count(column) -%}
    cast(sum({{ column }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- A double-precision float type (dbt.type_float() is single precision on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}
