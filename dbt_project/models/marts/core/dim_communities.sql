-- Communities of every street that has at least one grid, with their real NBS 2023 codes.
with

divisions as (
    select * from {{ ref('divisions') }}
),

grids as (
    select * from {{ ref('int_grids_versioned') }}
),

streets_in_scope as (
    select distinct divisions.parent_code as street_code
    from grids
    inner join divisions on grids.community_code = divisions.code
),

communities as (
    select
        community.code as community_code,
        replace(community.name, '居委会', '') as community_name,
        street.code as street_code,
        street.name as street_name,
        district.code as district_code,
        district.name as district_name
    from divisions as community
    inner join streets_in_scope on community.parent_code = streets_in_scope.street_code
    inner join divisions as street on community.parent_code = street.code
    inner join divisions as district on street.parent_code = district.code
    where community.level = 'community'
)

select * from communities
