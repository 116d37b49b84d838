-- One row per area (every grid in force, every community and street in scope) and period: all
-- KPI counts of the four domains side by side, and the rates computed from their numerators and
-- denominators (formulas in _kpi__models.yml). The six kpi_* marts select their level and period.
with

periods as (
    select * from {{ ref('int_periods') }}
),

grid_coverage as (
    select * from {{ ref('metric_grid_coverage') }}
),

communities as (
    select * from {{ ref('dim_communities') }}
),

streets as (
    select * from {{ ref('dim_streets') }}
),

spine as (
    select 'grid' as area_level, grid_code as area_code, period_type, period_start, 1 as communities_total
    from grid_coverage
    union all
    select
        'community' as area_level, communities.community_code as area_code, periods.period_type, periods.period_start,
        1 as communities_total
    from communities
    cross join periods
    union all
    select
        'street' as area_level, streets.street_code as area_code, periods.period_type, periods.period_start,
        streets.communities_total
    from streets
    cross join periods
),

joined as (
    select
        spine.*,
        periods.months_in_range,
        periods.as_of_date,
        periods.is_complete,
        {{ kpi_joined_columns() }}
    from spine
    inner join periods on spine.period_type = periods.period_type and spine.period_start = periods.period_start
    {% for domain in ['coverage', 'population', 'case_cohorts', 'case_backlog'] %}
    left join {{ ref('metric_' ~ domain) }} as {{ domain }}
        on spine.area_level = {{ domain }}.area_level
        and spine.area_code = {{ domain }}.area_code
        and spine.period_type = {{ domain }}.period_type
        and spine.period_start = {{ domain }}.period_start
    {% endfor %}
),

final as (
    select
        *,
        {{ kpi_rates() }}
    from joined
)

select * from final
