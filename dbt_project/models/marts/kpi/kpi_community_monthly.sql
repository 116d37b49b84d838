-- One row per community of the streets in scope and month. A month a community sent no register
-- has has_register = false and null population figures, never zeros (formulas in _kpi__models.yml).
with

kpis as (
    select * from {{ ref('int_kpis') }}
    where area_level = 'community' and period_type = 'month'
),

communities as (
    select * from {{ ref('dim_communities') }}
),

registers as (
    select * from {{ ref('int_registers_received') }}
),

final as (
    select
        communities.community_code,
        communities.community_name,
        communities.street_code,
        communities.street_name,
        kpis.period_start as month_start,
        kpis.as_of_date,
        kpis.is_complete,
        kpis.has_register,
        registers.first_received_at as register_received_at,
        coalesce(registers.is_on_time, false) as is_register_on_time,
        {{ kpi_mart_columns('kpis') }}
    from kpis
    inner join communities on kpis.area_code = communities.community_code
    left join registers
        on kpis.area_code = registers.community_code and kpis.period_start = registers.month_start
)

select * from final
