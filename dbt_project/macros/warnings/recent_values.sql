{#- Window expression: the last `n` values of `value` (rounded to `digits`) over the window's rows up
    to the current one, oldest first, comma-separated. -#}
{% macro recent_values(value, partition_by, order_by, n, digits) -%}
    {{ return(adapter.dispatch('recent_values')(value, partition_by, order_by, n, digits)) }}
{%- endmacro %}

{% macro default__recent_values(value, partition_by, order_by, n, digits) -%}
    string_agg(cast(round({{ value }}, {{ digits }}) as {{ dbt.type_string() }}), ',') over (
        partition by {{ partition_by }} order by {{ order_by }}
        rows between {{ n - 1 }} preceding and current row
    )
{%- endmacro %}
