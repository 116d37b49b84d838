-- One row per area with a register at the period's snapshot month, period and tag of person_tags:
-- residents carrying the tag. Sensitive tags are shown suppressed (persons_display `<5` below
-- var('suppression_threshold')); persons keeps the count for the warehouse's own checks.
with

tagged as (
    select tagged.*, divisions.parent_code as street_code
    from {{ ref('int_residents_tagged') }} as tagged
    inner join {{ ref('divisions') }} as divisions on tagged.community_code = divisions.code
    where tagged.is_resident
),

population as (
    select population.*, divisions.parent_code as street_code
    from {{ ref('fct_population_grid_monthly') }} as population
    inner join {{ ref('divisions') }} as divisions on population.community_code = divisions.code
),

periods as (
    select * from {{ ref('int_periods') }}
),

tags as (
    select * from {{ ref('person_tags') }}
),

snapshot_tags as (
    select periods.period_type, periods.period_start, tagged.*
    from tagged
    inner join periods on tagged.month_start = periods.snapshot_month_start
),

snapshot_areas as (
    select periods.period_type, periods.period_start, population.grid_code, population.community_code, population.street_code
    from population
    inner join periods on population.month_start = periods.snapshot_month_start
),

areas as (
    {{ by_area_levels('snapshot_areas', 'count(*) as grids_in_register') }}
),

counts as (
    {{ by_area_levels('snapshot_tags', 'count(distinct person_id) as persons',
                      group_by=['period_type', 'period_start', 'tag_code']) }}
),

final as (
    select
        areas.area_level,
        areas.area_code,
        areas.period_type,
        areas.period_start,
        tags.tag_code,
        tags.tag_name,
        tags.tag_group,
        tags.is_sensitive,
        coalesce(counts.persons, 0) as persons,
        tags.is_sensitive and coalesce(counts.persons, 0) < {{ var('suppression_threshold') }} as is_suppressed,
        case
            when tags.is_sensitive then {{ suppressed_display('coalesce(counts.persons, 0)') }}
            else cast(coalesce(counts.persons, 0) as {{ dbt.type_string() }})
        end as persons_display
    from areas
    cross join tags
    left join counts
        on areas.area_level = counts.area_level
        and areas.area_code = counts.area_code
        and areas.period_type = counts.period_type
        and areas.period_start = counts.period_start
        and tags.tag_code = counts.tag_code
)

select * from final
