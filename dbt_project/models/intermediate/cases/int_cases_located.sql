-- One row per case: where it happened (the grid version in force on the day it was reported, its
-- community and street) and the codes of its category, subcategory and channel.
{{ config(materialized='view') }}

with

cases as (
    select case_id, grid_code, category, subcategory, channel, coalesce(reported_at, first_step_at) as reported_at
    from {{ ref('int_cases_pivoted') }}
),

grid_days as (
    select * from {{ ref('int_grid_days') }}
),

grid_fallback as (
    select grid_code, min(community_code) as community_code
    from {{ ref('int_grids_versioned') }}
    group by grid_code
),

divisions as (
    select * from {{ ref('divisions') }}
),

categories as (
    select * from {{ ref('case_categories') }}
),

channels as (
    select * from {{ ref('case_channels') }}
),

final as (
    select
        cases.case_id,
        grid_days.grid_version_id,
        coalesce(grid_days.community_code, grid_fallback.community_code) as community_code,
        divisions.parent_code as street_code,
        categories.category_code,
        categories.subcategory_code,
        channels.channel_code
    from cases
    left join grid_days
        on cases.grid_code = grid_days.grid_code
        and cast(cases.reported_at as date) = grid_days.calendar_date
    left join grid_fallback on cases.grid_code = grid_fallback.grid_code
    left join divisions on coalesce(grid_days.community_code, grid_fallback.community_code) = divisions.code
    left join categories
        on cases.category = categories.category_name
        and cases.subcategory = categories.subcategory_name
    left join channels on cases.channel = channels.channel_name
)

select * from final
