-- One row per street, community (null: not placed to a community), month, topic and subtopic
-- (null topic: unclassified) with its number of hotline orders.
with

orders as (
    select * from {{ ref('fct_hotline_orders') }}
),

final as (
    select
        counted_street_code as street_code,
        community_code,
        month_start,
        topic,
        subtopic,
        count(*) as orders
    from orders
    group by counted_street_code, community_code, month_start, topic, subtopic
)

select * from final
