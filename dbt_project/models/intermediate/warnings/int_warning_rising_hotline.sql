-- Rising problems of 12345 orders: one row per community × topic and as-of day whose count of the
-- last rising_window_days days crosses its upper limit (macro rising_warnings). Only orders placed
-- in a community with a topic count; an order counts on the day it was received.
with

orders as (
    select community_code, street_code, topic as category, cast(received_at as date) as event_date
    from {{ ref('int_hotline__orders') }}
    where community_code is not null and topic is not null
),

warnings as (
    {{ rising_warnings('orders', ['community_code', 'street_code']) }}
)

select * from warnings
