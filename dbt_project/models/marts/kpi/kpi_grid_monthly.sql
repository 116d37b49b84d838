-- One row per grid and month it is in force, on the grid version of the month (its latest
-- version in force): coverage, population, handling and backlog KPIs (formulas in _kpi__models.yml).
with

kpis as (
    select * from {{ ref('int_kpis') }}
    where area_level = 'grid' and period_type = 'month'
),

grid_coverage as (
    select * from {{ ref('int_kpi_grid_coverage') }}
    where period_type = 'month'
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
        kpis.period_start as month_start,
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
