{#- A date's month as the lake's month text, YYYY-MM. -#}
{% macro month_key(date) -%}
    {{ return(adapter.dispatch('month_key')(date)) }}
{%- endmacro %}

{% macro default__month_key(date) -%}
    strftime({{ date }}, '%Y-%m')
{%- endmacro %}

{% macro spark__month_key(date) -%}
    date_format({{ date }}, 'yyyy-MM')
{%- endmacro %}
