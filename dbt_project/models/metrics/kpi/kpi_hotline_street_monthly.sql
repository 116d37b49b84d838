-- One row per street in scope and month with hotline orders, counting the street's orders not
-- placed to a community too (formulas in _kpi_hotline__models.yml; the query:
-- macros/kpi/hotline_kpi_mart.sql).
{{ hotline_kpi_mart('street', 'dim_streets', ['street_code', 'street_name'], 'orders_without_community') }}
