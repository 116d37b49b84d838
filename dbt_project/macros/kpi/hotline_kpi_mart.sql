{#- The hotline KPI marts of a community and of a street are one query: every area of the level in
    scope × every month with hotline orders, the counts of metric_hotline_area_months (zero when the
    area had no order), residents of the area's register of the month (metric_population_area_months)
    and the rates from the counts beside them (null when the denominator is 0). `unplaced_column` is
    the count the level calls unplaced: a street's orders without a community, a community's orders
    without a grid. -#}
{% macro hotline_kpi_mart(level, areas_model, area_columns, unplaced_column) %}
with

areas as (
    select * from {{ ref(areas_model) }}
),

counts as (
    select * from {{ ref('metric_hotline_area_months') }}
    where area_level = '{{ level }}'
),

population as (
    select area_code, month_start, residents from {{ ref('metric_population_area_months') }}
    where area_level = '{{ level }}'
),

months as (
    select distinct month_start from {{ ref('fct_hotline_orders') }}
),

area_months as (
    select
        {% for column in area_columns %}areas.{{ column }},
        {% endfor %}
        months.month_start
    from areas
    cross join months
),

measured as (
    select
        area_months.*,
        {% for column in ['orders', 'orders_replied', 'orders_responded_in_time', 'orders_resolved', 'orders_evaluated',
                          'orders_satisfied', 'repeat_orders', 'unclassified_orders'] %}
        coalesce(counts.{{ column }}, 0) as {{ column }},
        {% endfor %}
        coalesce(counts.{{ unplaced_column }}, 0) as unplaced_orders,
        counts.median_reply_working_days,
        population.residents
    from area_months
    left join counts
        on area_months.{{ level }}_code = counts.area_code and area_months.month_start = counts.month_start
    left join population
        on area_months.{{ level }}_code = population.area_code and area_months.month_start = population.month_start
),

final as (
    select
        {% for column in area_columns %}{{ column }},
        {% endfor %}
        month_start,
        orders,
        residents,
        {{ safe_ratio('orders * 10000', 'residents') }} as orders_per_10k_residents,
        orders_replied,
        orders_responded_in_time,
        orders_resolved,
        orders_evaluated,
        orders_satisfied,
        {{ safe_ratio('orders_responded_in_time', 'orders') }} as response_rate,
        {{ safe_ratio('orders_resolved', 'orders') }} as resolution_rate,
        {{ safe_ratio('orders_satisfied', 'orders_evaluated') }} as satisfaction_rate,
        median_reply_working_days,
        repeat_orders,
        {{ safe_ratio('repeat_orders', 'orders') }} as repeat_share,
        unplaced_orders,
        {{ safe_ratio('orders - unplaced_orders', 'orders') }} as placement_rate,
        unclassified_orders,
        {{ safe_ratio('unclassified_orders', 'orders') }} as unclassified_share
    from measured
)

select * from final
{% endmacro %}
