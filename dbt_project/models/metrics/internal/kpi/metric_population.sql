-- One row per area and period with a register in it: the population snapshot of the period's last
-- month in range (snapshot_month_start), the flows summed over the period's months, and the
-- registers received (on time) in it.
with

area_months as (
    select * from {{ ref('metric_population_area_months') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

{% set stocks = ['persons_in_register', 'residents', 'residents_present', 'residents_away', 'residents_registered',
                 'residents_floating', 'residents_foreign', 'households', 'key_persons'] %}

snapshots as (
    select periods.period_type, periods.period_start, area_months.*
    from area_months
    inner join periods on area_months.month_start = periods.snapshot_month_start
),

flows as (
    select
        periods.period_type,
        periods.period_start,
        area_months.area_level,
        area_months.area_code,
        {% for flow in ['moved_in', 'transferred_in', 'moved_out', 'transferred_out', 'deaths'] %}
        {{ sum_count('area_months.' ~ flow) }} as {{ flow }},
        {% endfor %}
        {{ sum_count('area_months.registers_received') }} as registers_received,
        {{ sum_count('area_months.registers_on_time') }} as registers_on_time
    from area_months
    inner join periods on area_months.month_start between periods.period_start and periods.as_of_date
    group by periods.period_type, periods.period_start, area_months.area_level, area_months.area_code
),

final as (
    select
        flows.area_level,
        flows.area_code,
        flows.period_type,
        flows.period_start,
        snapshots.registers_received as registers_in_snapshot,
        {% for stock in stocks %}snapshots.{{ stock }},
        {% endfor %}
        flows.moved_in,
        flows.transferred_in,
        flows.moved_out,
        flows.transferred_out,
        flows.deaths,
        flows.registers_received,
        flows.registers_on_time
    from flows
    left join snapshots
        on flows.area_level = snapshots.area_level
        and flows.area_code = snapshots.area_code
        and flows.period_type = snapshots.period_type
        and flows.period_start = snapshots.period_start
)

select * from final
