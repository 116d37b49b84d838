-- Repeat problems (DESIGN.md §9): a case reported, or a 12345 order received, at most
-- repeat_window_days days after an earlier one of the same place and category was closed
-- (replied, for orders). Same place: for cases the grid and the place words their descriptions
-- open with (macro case_place); for orders the community and the place words placement read from
-- the text. One row per new case or order with the latest earlier one it repeats and how many of
-- the same place and category came in the window before it.
with

settings as (
    select * from {{ ref('int_warning_settings') }}
),

cases as (
    select
        'cases' as source,
        case_id as subject,
        grid_code,
        community_code,
        street_code,
        category,
        place,
        grid_code as place_area,
        reported_at as came_at,
        closed_at
    from {{ ref('int_warning_cases') }}
    where place is not null and grid_code is not null and category is not null and voided_at is null
),

orders as (
    select
        'hotline' as source,
        order_id as subject,
        grid_code,
        community_code,
        street_code,
        topic as category,
        place_words as place,
        community_code as place_area,
        received_at as came_at,
        replied_at as closed_at
    from {{ ref('int_hotline__orders') }}
    where place_words is not null and community_code is not null and topic is not null
),

items as (
    select * from cases
    union all
    select * from orders
),

-- Earlier items of the same place and category that came in, or were closed, within the window.
neighbours_in_time as (
    select
        later.source,
        later.subject,
        later.grid_code,
        later.community_code,
        later.street_code,
        later.category,
        later.place,
        later.came_at,
        earlier.subject as previous_subject,
        earlier.came_at as previous_came_at,
        earlier.closed_at as previous_closed_at,
        {{ dbt.dateadd('day', '-settings.repeat_window_days', 'later.came_at') }} as window_start
    from items as later
    cross join settings
    inner join items as earlier
        on later.source = earlier.source
        and later.place_area = earlier.place_area
        and later.place = earlier.place
        and later.category = earlier.category
        and earlier.came_at < later.came_at
        and earlier.subject <> later.subject
        and (
            earlier.came_at >= {{ dbt.dateadd('day', '-settings.repeat_window_days', 'later.came_at') }}
            or earlier.closed_at >= {{ dbt.dateadd('day', '-settings.repeat_window_days', 'later.came_at') }}
        )
),

pairs as (
    select
        *,
        row_number() over (
            partition by source, subject order by previous_closed_at desc, previous_subject desc
        ) as recency
    from neighbours_in_time
    where previous_closed_at < came_at and previous_closed_at >= window_start
),

window_counts as (
    select source, subject, count(*) as earlier_items
    from neighbours_in_time
    where previous_came_at >= window_start
    group by source, subject
),

final as (
    select
        pairs.source,
        pairs.subject,
        pairs.grid_code,
        pairs.community_code,
        pairs.street_code,
        pairs.category,
        pairs.place,
        cast(pairs.came_at as date) as as_of_date,
        pairs.previous_subject,
        pairs.previous_closed_at,
        {{ dbt.datediff('pairs.previous_closed_at', 'pairs.came_at', 'day') }} as days_since_closed,
        coalesce(window_counts.earlier_items, 0) as earlier_items
    from pairs
    left join window_counts on pairs.source = window_counts.source and pairs.subject = window_counts.subject
    where pairs.recency = 1
)

select * from final
