-- One row per 12345 hotline work order: times, type, channel, place, handling unit, reply delay,
-- transfers, satisfaction, the three rates' flags, repeat flag and topic (rules in
-- int_hotline__orders), and the grid case it names when that case is in fct_cases.
-- counted_street_code is the street the order counts for in the street marts: its placed street,
-- else the street in scope when the warehouse serves a single street (every order of that
-- street's exports is its own, placed or not); null only at city scope for an order not placed to
-- a street.
with

orders as (
    select * from {{ ref('int_hotline__orders') }}
),

cases as (
    select case_id, community_code from {{ ref('fct_cases') }}
),

streets as (
    select * from {{ ref('dim_streets') }}
),

sole_street as (
    select case when count(*) = 1 then min(street_code) end as street_code
    from streets
),

final as (
    select
        orders.order_id,
        orders.received_at,
        orders.month_start,
        orders.replied_at,
        orders.order_type,
        orders.channel,
        orders.district,
        orders.street_code,
        orders.community_code,
        orders.grid_code,
        coalesce(orders.street_code, sole_street.street_code) as counted_street_code,
        orders.community_code is not null as is_placed,
        orders.place_words,
        orders.place_confidence,
        orders.place_method,
        orders.is_place_corrected,
        orders.machine_community_code,
        orders.handling_unit,
        orders.status,
        orders.transfers,
        orders.satisfaction,
        orders.anonymity,
        orders.topic,
        orders.subtopic,
        orders.topic_source,
        orders.topic_keyword,
        orders.reply_hours,
        orders.reply_working_days,
        orders.is_responded_in_time,
        orders.is_resolved,
        orders.is_evaluated,
        orders.is_satisfied,
        orders.is_repeat,
        orders.repeat_of_order_id,
        orders.case_id,
        cases.case_id as grid_case_id,
        orders.title_masked,
        orders.content_masked,
        orders.reply_masked,
        orders.versions_landed
    from orders
    cross join sole_street
    left join cases on orders.case_id = cases.case_id
)

select * from final
