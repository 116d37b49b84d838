-- One row per community and month: the overview KPIs. A month a community sent no register
-- has has_register = false and null resident counts, never zeros.
with

communities as (
    select * from {{ ref('dim_communities') }}
),

grids as (
    select * from {{ ref('dim_grids') }}
),

residents as (
    select * from {{ ref('fct_residents_monthly') }}
),

cases as (
    select * from {{ ref('fct_cases') }}
),

patrols as (
    select * from {{ ref('fct_patrols') }}
),

months as (
    select month_start from residents
    union
    select accepted_month from cases where accepted_month is not null
    union
    select month_start from patrols
),

spine as (
    select communities.community_code, communities.community_name, months.month_start
    from communities
    cross join months
),

registers as (
    select
        community_code,
        month_start,
        count(*) as persons_in_register,
        cast(sum(case when is_resident then 1 else 0 end) as {{ dbt.type_bigint() }}) as residents
    from residents
    group by community_code, month_start
),

active_grids as (
    select months.month_start, grids.community_code, count(distinct grids.grid_code) as grids_active
    from grids
    inner join months
        on grids.valid_from < {{ dbt.dateadd('month', 1, 'months.month_start') }}
        and (grids.valid_to is null or grids.valid_to >= months.month_start)
    group by months.month_start, grids.community_code
),

patrolled as (
    select community_code, month_start, count(distinct grid_code) as grids_patrolled
    from patrols
    where patrol_type = '巡查'
    group by community_code, month_start
),

accepted as (
    select
        community_code,
        accepted_month as month_start,
        count(*) as cases_accepted,
        cast(sum(case when is_closed_on_time then 1 else 0 end) as {{ dbt.type_bigint() }}) as cases_closed_on_time
    from cases
    where not is_void and accepted_month is not null
    group by community_code, accepted_month
),

closed as (
    select community_code, closed_month as month_start, count(*) as cases_closed
    from cases
    where is_closed
    group by community_code, closed_month
),

final as (
    select
        spine.community_code,
        spine.community_name,
        spine.month_start,
        registers.community_code is not null as has_register,
        registers.persons_in_register,
        registers.residents,
        coalesce(active_grids.grids_active, 0) as grids_active,
        coalesce(patrolled.grids_patrolled, 0) as grids_patrolled,
        coalesce(accepted.cases_accepted, 0) as cases_accepted,
        coalesce(closed.cases_closed, 0) as cases_closed,
        coalesce(accepted.cases_closed_on_time, 0) as cases_closed_on_time,
        cast(accepted.cases_closed_on_time as double) / nullif(accepted.cases_accepted, 0) as on_time_closure_rate
    from spine
    left join registers
        on spine.community_code = registers.community_code and spine.month_start = registers.month_start
    left join active_grids
        on spine.community_code = active_grids.community_code and spine.month_start = active_grids.month_start
    left join patrolled
        on spine.community_code = patrolled.community_code and spine.month_start = patrolled.month_start
    left join accepted
        on spine.community_code = accepted.community_code and spine.month_start = accepted.month_start
    left join closed
        on spine.community_code = closed.community_code and spine.month_start = closed.month_start
)

select * from final
