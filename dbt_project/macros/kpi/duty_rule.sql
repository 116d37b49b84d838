{#- One row of duty_requirements for the assessed role and an activity (巡查, 入户走访, 重点人员走访),
    as a CTE body: required_count and period of that duty. -#}
{% macro duty_rule(activity) %}
    select required_count, period
    from {{ ref('duty_requirements') }}
    where role = '{{ var("assessed_role") }}' and activity = '{{ activity }}'
{% endmacro %}

{#- How many patrols a duty of `required_count` per `period` asks for over `days` calendar days of
    which `working_days` are working days (week/month/quarter/year rules pro rata by 7/30/91/365
    days, rounded up), as a bigint. -#}
{% macro required_occurrences(rule, working_days, days) %}
    cast(ceiling(case {{ rule }}.period
        when 'working_day' then {{ rule }}.required_count * {{ working_days }}
        when 'day' then {{ rule }}.required_count * {{ days }}
        when 'week' then {{ rule }}.required_count * {{ days }} / 7.0
        when 'month' then {{ rule }}.required_count * {{ days }} / 30.0
        when 'quarter' then {{ rule }}.required_count * {{ days }} / 91.0
        when 'year' then {{ rule }}.required_count * {{ days }} / 365.0
    end) as {{ dbt.type_bigint() }})
{% endmacro %}

{#- First day of the visit window a duty's period defines for a period row of int_periods: the
    year, quarter or month that contains the period's as_of_date. -#}
{% macro duty_window_start(rule, periods) %}
    case {{ rule }}.period
        when 'year' then {{ periods }}.year_start
        when 'quarter' then cast({{ dbt.date_trunc('quarter', periods ~ '.as_of_date') }} as date)
        else {{ periods }}.snapshot_month_start
    end
{% endmacro %}

{#- Months in a duty's period, to spread a quarterly or yearly round over its months. -#}
{% macro duty_months(rule) %}
    case {{ rule }}.period when 'year' then 12 when 'quarter' then 3 else 1 end
{% endmacro %}
