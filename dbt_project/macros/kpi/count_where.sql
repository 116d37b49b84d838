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

{#- A double as text the way DuckDB writes it (0.0008, 12.5, 3.0). Spark writes Java's
    Double.toString, which turns to scientific notation below 0.001 (8.0E-4): those go through a
    decimal instead. -#}
{% macro double_text(expression) -%}
    {{ return(adapter.dispatch('double_text')(expression)) }}
{%- endmacro %}

{% macro default__double_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__double_text(expression) -%}
    case
        when abs({{ expression }}) < 0.001 and {{ expression }} <> 0
            then regexp_replace(cast(cast({{ expression }} as decimal(38, 12)) as string), '0+$', '')
        else cast({{ expression }} as string)
    end
{%- endmacro %}

{#- Minutes (an integer expression) as hours, a double. DuckDB divides by 60.0 in double precision;
    Spark types 60.0 as a decimal and would round the quotient to 6 decimals, so it divides a double. -#}
{% macro minutes_to_hours(minutes) -%}
    {{ return(adapter.dispatch('minutes_to_hours')(minutes)) }}
{%- endmacro %}

{% macro default__minutes_to_hours(minutes) -%}
    {{ minutes }} / 60.0
{%- endmacro %}

{% macro spark__minutes_to_hours(minutes) -%}
    cast({{ minutes }} as double) / 60
{%- endmacro %}
