{#- The KPI marts of the three area levels are the same query for a month and for a quarter: only
    the period type of metric_area_kpis and the name of the period column differ, plus the columns
    proper to a level and period (a community's register of the month, the months in range of a
    quarter). One macro per area level keeps the monthly and quarterly marts from drifting apart. -#}

{% macro grid_kpi_mart(period_type) %}
with

kpis as (
    select * from {{ ref('metric_area_kpis') }}
    where area_level = 'grid' and period_type = '{{ period_type }}'
),

grid_coverage as (
    select * from {{ ref('metric_grid_coverage') }}
    where period_type = '{{ period_type }}'
),

grids as (
    select * from {{ ref('dim_grids') }}
),

final as (
    select
        kpis.area_code as grid_code,
        grid_coverage.grid_version_id,
        grids.grid_name,
        grids.grid_type,
        grids.community_code,
        grids.community_name,
        grids.street_code,
        grids.worker_id,
        kpis.period_start as {{ period_type }}_start,
        kpis.as_of_date,
        kpis.is_complete,
        kpis.has_register,
        {{ kpi_mart_columns('kpis') }}
    from kpis
    inner join grid_coverage
        on kpis.area_code = grid_coverage.grid_code and kpis.period_start = grid_coverage.period_start
    inner join grids on grid_coverage.grid_version_id = grids.grid_version_id
)

select * from final
{% endmacro %}


{% macro street_kpi_mart(period_type) %}
with

kpis as (
    select * from {{ ref('metric_area_kpis') }}
    where area_level = 'street' and period_type = '{{ period_type }}'
),

streets as (
    select * from {{ ref('dim_streets') }}
),

final as (
    select
        streets.street_code,
        streets.street_name,
        kpis.period_start as {{ period_type }}_start,
        kpis.as_of_date,
        kpis.is_complete,
        kpis.months_in_range,
        streets.communities_total,
        kpis.registers_in_snapshot as communities_with_register,
        {{ kpi_mart_columns('kpis') }}
    from kpis
    inner join streets on kpis.area_code = streets.street_code
)

select * from final
{% endmacro %}


{% macro community_kpi_mart(period_type) %}
with

kpis as (
    select * from {{ ref('metric_area_kpis') }}
    where area_level = 'community' and period_type = '{{ period_type }}'
),

communities as (
    select * from {{ ref('dim_communities') }}
),
{% if period_type == 'month' %}
registers as (
    select * from {{ ref('int_registers_received') }}
),
{% endif %}
final as (
    select
        communities.community_code,
        communities.community_name,
        communities.street_code,
        communities.street_name,
        kpis.period_start as {{ period_type }}_start,
        kpis.as_of_date,
        kpis.is_complete,
        {%- if period_type == 'quarter' %}
        kpis.months_in_range,
        {%- endif %}
        kpis.has_register,
        {%- if period_type == 'month' %}
        registers.first_received_at as register_received_at,
        coalesce(registers.is_on_time, false) as is_register_on_time,
        {%- endif %}
        {{ kpi_mart_columns('kpis') }}
    from kpis
    inner join communities on kpis.area_code = communities.community_code
    {%- if period_type == 'month' %}
    left join registers
        on kpis.area_code = registers.community_code and kpis.period_start = registers.month_start
    {%- endif %}
)

select * from final
{% endmacro %}
