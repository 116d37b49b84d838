-- One row per street and month: every figure computed from the street's own rows (rates from
-- their numerators and denominators, never averaged); residents add up the communities with a
-- register (communities_with_register of communities_total). Formulas in _kpi__models.yml.
with

kpis as (
    select * from {{ ref('int_kpis') }}
    where area_level = 'street' and period_type = 'month'
),

streets as (
    select * from {{ ref('dim_streets') }}
),

final as (
    select
        streets.street_code,
        streets.street_name,
        kpis.period_start as month_start,
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
