{#- ln(n!) of a non-negative integer expression, for Poisson probabilities. DuckDB: lgamma(n + 1).
    Spark has no lgamma: the sum of ln(i) for i = 1..n (exact to rounding; n is below 10,000 here). -#}
{% macro log_factorial(n) -%}
    {{ return(adapter.dispatch('log_factorial')(n)) }}
{%- endmacro %}

{% macro default__log_factorial(n) -%}
    lgamma({{ n }} + 1)
{%- endmacro %}

{% macro spark__log_factorial(n) -%}
    aggregate(sequence(1, greatest({{ n }}, 1)), cast(0 as double), (acc, i) -> acc + ln(i))
{%- endmacro %}
