-- One row per grid and month its community's register landed: the population snapshot on the grid
-- version of the month, and the flows since the previous month's register (null without one).
with

register as (
    select *, {{ is_resident() }} as is_resident from {{ ref('stg_population__residents') }}
),

tagged as (
    select * from {{ ref('int_residents_tagged') }}
),

flows as (
    select * from {{ ref('int_population_grid_flows') }}
),

grid_months as (
    select * from {{ ref('int_grid_versions_monthly') }}
),

registers as (
    select * from {{ ref('int_registers_received') }}
),

snapshot as (
    select
        grid_code,
        community_code,
        month_start,
        count(*) as persons_in_register,
        {% for name, condition in [
            ('residents', 'is_resident'),
            ('residents_present', "residence_status = '在住'"),
            ('residents_away', "residence_status = '外出'"),
            ('residents_registered', "is_resident and registration_type = '户籍'"),
            ('residents_floating', "is_resident and registration_type = '流动'"),
            ('residents_foreign', "is_resident and registration_type = '境外'"),
        ] %}
        {{ count_where(condition) }} as {{ name }},
        {% endfor %}
        count(distinct case when is_resident then {{ dbt.concat(['building', "'|'", 'unit', "'|'", 'room']) }} end) as households
    from register
    group by grid_code, community_code, month_start
),

key_persons as (
    select grid_code, month_start, count(distinct person_id) as key_persons
    from tagged
    where is_key_person and is_resident
    group by grid_code, month_start
),

spine as (
    select grid_code, community_code, month_start from snapshot
    union
    select grid_code, community_code, month_start from flows
    union
    select grid_months.grid_code, grid_months.community_code, grid_months.month_start
    from grid_months
    inner join registers
        on grid_months.community_code = registers.community_code and grid_months.month_start = registers.month_start
),

final as (
    select
        spine.grid_code,
        spine.month_start,
        grid_months.grid_version_id,
        spine.community_code,
        {% for measure in ['persons_in_register', 'residents', 'residents_present', 'residents_away',
                           'residents_registered', 'residents_floating', 'residents_foreign', 'households'] %}
        coalesce(snapshot.{{ measure }}, 0) as {{ measure }},
        {% endfor %}
        coalesce(key_persons.key_persons, 0) as key_persons,
        {% for flow in ['moved_in', 'transferred_in', 'moved_out', 'transferred_out', 'deaths'] %}
        case when registers.has_previous_register then coalesce(flows.{{ flow }}, 0) end as {{ flow }}{{ ',' if not loop.last }}
        {% endfor %}
    from spine
    inner join registers
        on spine.community_code = registers.community_code and spine.month_start = registers.month_start
    left join grid_months on spine.grid_code = grid_months.grid_code and spine.month_start = grid_months.month_start
    left join snapshot
        on spine.grid_code = snapshot.grid_code
        and spine.community_code = snapshot.community_code
        and spine.month_start = snapshot.month_start
    left join key_persons on spine.grid_code = key_persons.grid_code and spine.month_start = key_persons.month_start
    left join flows
        on spine.grid_code = flows.grid_code
        and spine.community_code = flows.community_code
        and spine.month_start = flows.month_start
)

select * from final
