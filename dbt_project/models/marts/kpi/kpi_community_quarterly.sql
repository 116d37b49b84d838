-- One row per community of the streets in scope and quarter: population at the quarter's last
-- month in range, flows, registers and cases over the quarter (formulas in _kpi__models.yml).
with

kpis as (
    select * from {{ ref('int_kpis') }}
    where area_level = 'community' and period_type = 'quarter'
),

communities as (
    select * from {{ ref('dim_communities') }}
),

final as (
    select
        communities.community_code,
        communities.community_name,
        communities.street_code,
        communities.street_name,
        kpis.period_start as quarter_start,
        kpis.as_of_date,
        kpis.is_complete,
        kpis.months_in_range,
        kpis.has_register,
        {{ kpi_mart_columns('kpis') }}
    from kpis
    inner join communities on kpis.area_code = communities.community_code
)

select * from final
