-- One row per community of the streets in scope and month with hotline orders (formulas in
-- _kpi_hotline__models.yml; the query: macros/kpi/hotline_kpi_mart.sql).
{{ hotline_kpi_mart('community', 'dim_communities',
                    ['community_code', 'community_name', 'street_code', 'street_name'], 'orders_without_grid') }}
