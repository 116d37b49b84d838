{#- The grid and street KPI marts are the same query for a month and for a quarter: only the period
    type of int_kpis and the name of the period column differ. One macro per area keeps the monthly
    and quarterly marts from drifting apart. -#}

{% macro grid_kpi_mart(period_type) %}
with

kpis as (
    select * from {{ ref('int_kpis') }}
    where area_level = 'grid' and period_type = '{{ period_type }}'
),

grid_coverage as (
    select * from {{ ref('int_kpi_grid_coverage') }}
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
    select * from {{ ref('int_kpis') }}
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
