-- One row per grid version, with its community and whether its size is inside the band of its type.
with

versions as (
    select * from {{ ref('int_grids_versioned') }}
),

communities as (
    select * from {{ ref('dim_communities') }}
),

bands as (
    select * from {{ ref('grid_size_bands') }}
),

final as (
    select
        versions.*,
        communities.community_name,
        communities.street_code,
        versions.valid_to is null as is_current,
        bands.min_households,
        bands.max_households,
        coalesce(bands.is_exempt, false) as is_size_exempt,
        not coalesce(bands.is_exempt, false) and coalesce(
            versions.household_count < bands.min_households
            or versions.household_count > bands.max_households
            or versions.resident_count < bands.min_residents
            or versions.resident_count > bands.max_residents,
            false
        ) as is_outside_size_band
    from versions
    left join communities on versions.community_code = communities.community_code
    left join bands on versions.grid_type = bands.grid_type
)

select * from final
