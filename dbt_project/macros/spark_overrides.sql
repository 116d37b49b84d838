{#- Spark versions of dbt's cross-database macros where dbt-spark's own differ from what the models
    need (dbt_project.yml's dispatch puts this project before dbt for the `dbt` namespace). -#}

{#- dbt-spark's listagg ignores `order by` (collect_list's order is not deterministic). Here the
    values are collected with their sort key, sorted (array_sort on (key, value) structs; `desc`
    reverses) and joined; nulls are skipped as listagg does. One sort key. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set clause = order_by_clause | trim -%}
        {%- if clause[:8] | lower != 'order by' -%}
            {{ exceptions.raise_compiler_error('spark__listagg: expected "order by <expr> [asc|desc]", got ' ~ order_by_clause) }}
        {%- endif -%}
        {%- set key = clause[8:] | trim -%}
        {%- set descending = (key | lower)[-5:] == ' desc' -%}
        {%- if descending %}{% set key = key[:-5] %}{% elif (key | lower)[-4:] == ' asc' %}{% set key = key[:-4] %}{% endif -%}
        {%- set sorted = 'array_sort(collect_list(case when (' ~ measure ~ ') is not null then named_struct(\'k\', ' ~ key ~ ', \'v\', ' ~ measure ~ ') end))' -%}
        {%- set collected = 'transform(' ~ ('reverse(' ~ sorted ~ ')' if descending else sorted) ~ ', x -> x.v)' -%}
    {%- else -%}
        {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    array_join({{ 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' if limit_num else collected }}, {{ delimiter_text }})
{%- endmacro %}
