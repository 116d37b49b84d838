{#- Aggregate expressions: `value` at the row of a group whose ordering `order_by` (a list of columns,
    compared in turn) is the smallest (first_by) or the largest (last_by); with `where`, only the rows
    it holds for. A null `value` at that row is the answer; a group with no such row gives null. One
    pass of a hash aggregate, where row_number() over a window would sort every row. -#}
{% macro first_by(value, order_by, where=none) -%}
    {{ return(adapter.dispatch('value_by')(value, order_by, where, 'min')) }}
{%- endmacro %}

{% macro last_by(value, order_by, where=none) -%}
    {{ return(adapter.dispatch('value_by')(value, order_by, where, 'max')) }}
{%- endmacro %}

{#- A struct of columns, each field named after its column (for a first_by/last_by of several columns). -#}
{% macro record(columns) -%}
    {{ return(adapter.dispatch('record')(columns)) }}
{%- endmacro %}

{% macro default__value_by(value, order_by, where, extreme) -%}
    {%- set key -%}struct_pack({% for column in order_by %}k{{ loop.index }} := {{ column }}{{ ', ' if not loop.last }}{% endfor %}){%- endset -%}
    arg_{{ extreme }}_null({{ value }}, {% if where %}case when {{ where }} then {{ key }} end{% else %}{{ key }}{% endif %})
{%- endmacro %}

{% macro spark__value_by(value, order_by, where, extreme) -%}
    {%- set key -%}struct({{ order_by | join(', ') }}){%- endset -%}
    {{ extreme }}_by({{ value }}, {% if where %}case when {{ where }} then {{ key }} end{% else %}{{ key }}{% endif %})
{%- endmacro %}

{% macro default__record(columns) -%}
    struct_pack({% for column in columns %}{{ column }} := {{ column }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro spark__record(columns) -%}
    struct({{ columns | join(', ') }})
{%- endmacro %}
