-- One row per grid and month it is in force, on the grid version of the month (its latest
-- version in force): coverage, population, handling and backlog KPIs (formulas in _kpi__models.yml).
-- (the query: macros/kpi/kpi_area_marts.sql)
{{ grid_kpi_mart('month') }}
