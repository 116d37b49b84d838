-- One row per community of the streets in scope and quarter: population at the quarter's last
-- month in range, flows, registers and cases over the quarter (formulas in _kpi__models.yml).
-- (the query: macros/kpi/kpi_area_marts.sql)
{{ community_kpi_mart('quarter') }}
