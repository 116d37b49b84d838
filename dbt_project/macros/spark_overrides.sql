{#- Spark versions of dbt's cross-database macros where dbt-spark's own differ from what the models
    need (dbt_project.yml's dispatch puts this project before dbt for the `dbt` namespace). -#}

{#- dbt-spark's listagg ignores order by (collect_list's order is not deterministic); the models
    only order by the measure itself, ascending, which array_sort gives. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause and order_by_clause | trim | lower not in ['order by ' ~ measure | trim | lower,
                                                                   'order by ' ~ measure | trim | lower ~ ' asc'] -%}
        {{ exceptions.raise_compiler_error('spark__listagg: only "order by <measure>" is supported, got ' ~ order_by_clause) }}
    {%- endif -%}
    {%- set collected = 'array_sort(collect_list(' ~ measure ~ '))' if order_by_clause else 'collect_list(' ~ measure ~ ')' -%}
    array_join({{ 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' if limit_num else collected }}, {{ delimiter_text }})
{%- endmacro %}
