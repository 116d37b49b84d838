-- Streets that have at least one grid, with their district and number of communities.
with

communities as (
    select * from {{ ref('dim_communities') }}
),

final as (
    select
        street_code,
        street_name,
        district_code,
        district_name,
        count(*) as communities_total
    from communities
    group by street_code, street_name, district_code, district_name
)

select * from final
