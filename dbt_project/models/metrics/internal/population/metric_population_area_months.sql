-- One row per area (grid, community, street) and month with a register: the population snapshot,
-- the flows since the previous month and the registers received (on time). At community level
-- moves between the community's own grids are transfers, not flows; at street level the
-- communities' flows are added up.
with

registers as (
    select * from {{ ref('int_registers_received') }}
),

grid_months as (
    select population.*, divisions.parent_code as street_code, registers.is_on_time
    from {{ ref('fct_population_grid_monthly') }} as population
    inner join {{ ref('divisions') }} as divisions on population.community_code = divisions.code
    inner join registers
        on population.community_code = registers.community_code and population.month_start = registers.month_start
),

{% set stocks = ['persons_in_register', 'residents', 'residents_present', 'residents_away', 'residents_registered',
                 'residents_floating', 'residents_foreign', 'households', 'key_persons'] %}

community_months as (
    select
        grid_months.community_code,
        grid_months.street_code,
        grid_months.month_start,
        {% for stock in stocks %}{{ sum_count('grid_months.' ~ stock) }} as {{ stock }},
        {% endfor %}
        {{ sum_count('grid_months.moved_in - grid_months.transferred_in') }} as moved_in,
        {{ sum_count('grid_months.transferred_in') }} as transferred_in,
        {{ sum_count('grid_months.moved_out - grid_months.transferred_out') }} as moved_out,
        {{ sum_count('grid_months.transferred_out') }} as transferred_out,
        {{ sum_count('grid_months.deaths') }} as deaths
    from grid_months
    group by grid_months.community_code, grid_months.street_code, grid_months.month_start
),

final as (
    select 'grid' as area_level, grid_code as area_code, month_start,
        {% for stock in stocks %}{{ stock }}, {% endfor %}
        moved_in, transferred_in, moved_out, transferred_out, deaths,
        1 as registers_received,
        case when is_on_time then 1 else 0 end as registers_on_time
    from grid_months
    union all
    {% for level in ['community', 'street'] %}
    select '{{ level }}' as area_level, community_months.{{ level }}_code as area_code, community_months.month_start,
        {% for stock in stocks %}{{ sum_count('community_months.' ~ stock) }} as {{ stock }}, {% endfor %}
        {{ sum_count('moved_in') }}, {{ sum_count('transferred_in') }}, {{ sum_count('moved_out') }}, {{ sum_count('transferred_out') }}, {{ sum_count('deaths') }},
        count(*) as registers_received,
        {{ count_where("registers.is_on_time") }} as registers_on_time
    from community_months
    inner join registers
        on community_months.community_code = registers.community_code
        and community_months.month_start = registers.month_start
    group by community_months.{{ level }}_code, community_months.month_start
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
