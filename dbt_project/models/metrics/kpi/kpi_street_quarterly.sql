-- One row per street and quarter: every figure computed from the street's own rows (rates from
-- their numerators and denominators, never averaged); residents add up the communities with a
-- register (communities_with_register of communities_total). Formulas in _kpi__models.yml.
-- (the query: macros/kpi/kpi_area_marts.sql)
{{ street_kpi_mart('quarter') }}
