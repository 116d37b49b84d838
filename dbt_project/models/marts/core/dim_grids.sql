with

versions as (
    select * from {{ ref('int_grids_versioned') }}
),

communities as (
    select * from {{ ref('dim_communities') }}
),

final as (
    select
        versions.*,
        communities.community_name,
        communities.street_code,
        versions.valid_to is null as is_current
    from versions
    left join communities on versions.community_code = communities.community_code
)

select * from final
