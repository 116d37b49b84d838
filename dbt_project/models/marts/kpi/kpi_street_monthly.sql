-- One row per street and month, rolled up from the communities; rates are recomputed from
-- their numerators and denominators, never averaged.
with

community_months as (
    select * from {{ ref('kpi_community_monthly') }}
),

communities as (
    select * from {{ ref('dim_communities') }}
),

rolled_up as (
    select
        communities.street_code,
        communities.street_name,
        community_months.month_start,
        count(*) as communities_total,
        cast(sum(case when community_months.has_register then 1 else 0 end) as {{ dbt.type_bigint() }}) as communities_with_register,
        cast(sum(community_months.residents) as {{ dbt.type_bigint() }}) as residents,
        cast(sum(community_months.grids_active) as {{ dbt.type_bigint() }}) as grids_active,
        cast(sum(community_months.grids_patrolled) as {{ dbt.type_bigint() }}) as grids_patrolled,
        cast(sum(community_months.cases_accepted) as {{ dbt.type_bigint() }}) as cases_accepted,
        cast(sum(community_months.cases_closed) as {{ dbt.type_bigint() }}) as cases_closed,
        cast(sum(community_months.cases_closed_on_time) as {{ dbt.type_bigint() }}) as cases_closed_on_time
    from community_months
    inner join communities on community_months.community_code = communities.community_code
    group by communities.street_code, communities.street_name, community_months.month_start
),

final as (
    select
        *,
        cast(cases_closed_on_time as double) / nullif(cases_accepted, 0) as on_time_closure_rate
    from rolled_up
)

select * from final
