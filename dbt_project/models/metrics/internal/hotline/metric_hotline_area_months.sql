-- One row per area (community, street) and month with hotline orders: the counts behind the
-- hotline KPI marts, each level aggregated from the orders themselves (a street's median is its own
-- orders' median, never one of communities). A street counts its orders not placed to a community
-- too (fct_hotline_orders.counted_street_code).
with

orders as (
    select
        fct_hotline_orders.*,
        fct_hotline_orders.counted_street_code as area_street_code
    from {{ ref('fct_hotline_orders') }} as fct_hotline_orders
),

{% set measures %}
        count(*) as orders,
        {{ count_where('replied_at is not null') }} as orders_replied,
        {{ count_where('is_responded_in_time') }} as orders_responded_in_time,
        {{ count_where('is_resolved') }} as orders_resolved,
        {{ count_where('is_evaluated') }} as orders_evaluated,
        {{ count_where('is_satisfied') }} as orders_satisfied,
        {{ count_where('is_repeat') }} as repeat_orders,
        {{ count_where('community_code is null') }} as orders_without_community,
        {{ count_where('grid_code is null') }} as orders_without_grid,
        {{ count_where('topic is null') }} as unclassified_orders,
        percentile_cont(0.5) within group (order by reply_working_days) as median_reply_working_days
{% endset %}

final as (
    select
        'community' as area_level,
        community_code as area_code,
        month_start,
        {{ measures }}
    from orders
    where community_code is not null
    group by community_code, month_start
    union all
    select
        'street' as area_level,
        area_street_code as area_code,
        month_start,
        {{ measures }}
    from orders
    where area_street_code is not null
    group by area_street_code, month_start
)

select * from final
