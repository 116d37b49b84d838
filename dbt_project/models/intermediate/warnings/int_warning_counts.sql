-- The integers 0–9999: the counts at which Poisson probabilities of rising problems are summed and
-- the working-day durations of the time-to-close distributions.
with

digits as (
    {% for digit in range(10) %}select {{ digit }} as digit{{ ' union all ' if not loop.last }}{% endfor %}
),

final as (
    select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit as k
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones
)

select * from final
