-- The pay bands (seed pay_bands) cover every score from 0 up without gaps or overlaps: the lowest
-- band starts at 0, each band ends where the next starts, and only the top band is open-ended.
with

bands as (
    select
        *,
        lead(min_score) over (order by min_score) as next_min_score,
        row_number() over (order by min_score) as band_number
    from {{ ref('pay_bands') }}
),

problems as (
    select pay_band from bands where band_number = 1 and min_score <> 0
    union all
    select pay_band from bands where next_min_score is not null and (max_score is null or max_score <> next_min_score)
    union all
    select pay_band from bands where next_min_score is null and max_score is not null
)

select * from problems
