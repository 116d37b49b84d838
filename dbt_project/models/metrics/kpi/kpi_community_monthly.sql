-- One row per community of the streets in scope and month. A month a community sent no register
-- has has_register = false and null population figures, never zeros (formulas in _kpi__models.yml).
-- (the query: macros/kpi/kpi_area_marts.sql)
{{ community_kpi_mart('month') }}
