-- One row per area (grid, community, street), period (month, quarter), mix (channel or category)
-- and value with at least one case: the accepted cohort by intake channel and by 大类, with each
-- value's share of the area's accepted cases of the period.
with

cohort as (
    select * from {{ ref('metric_case_cohort_cases') }}
),

mix_rows as (
    select grid_code, community_code, street_code, period_type, period_start,
        'channel' as mix_type, channel_code as mix_code, channel as mix_name
    from cohort
    union all
    select grid_code, community_code, street_code, period_type, period_start,
        'category' as mix_type, category_code as mix_code, category as mix_name
    from cohort
),

counts as (
    {{ by_area_levels('mix_rows', 'count(*) as cases',
                      group_by=['period_type', 'period_start', 'mix_type', 'mix_code', 'mix_name']) }}
),

final as (
    select
        *,
        {{ safe_ratio('cases', 'sum(cases) over (partition by area_level, area_code, period_type, period_start, mix_type)') }}
            as share_of_cases
    from counts
)

select * from final
