-- One row per hotline work order with its topic, reply delay, the three rates' flags and the repeat
-- flag, by the rules of the seeds hotline_settings and hotline_topics:
-- - topic: the export's 大类 (and 小类) when it carries one; else the keyword of hotline_topics the
--   order's text contains, a keyword in the title before one in the text only, then the longest
--   keyword (the most specific), then the earliest in the text, then topic, subtopic and keyword;
-- - reply delay in clock hours and in working days (the reply day's working-day number minus the
--   receipt day's, as for cases); responded in time within response_limit_hours clock hours;
-- - resolved: a status listed as resolved_status; evaluated: a satisfied_value or unsatisfied_value
--   answer; satisfied: a satisfied_value answer;
-- - repeat: an earlier order (by received_at, then order_id) of the same community and topic, of the
--   same grid or the same place words, received at most repeat_window_days before it.
with

orders as (
    select * from {{ ref('stg_hotline__orders') }}
),

topics as (
    select * from {{ ref('hotline_topics') }}
),

settings_rows as (
    select * from {{ ref('hotline_settings') }}
),

calendar as (
    select * from {{ ref('int_calendar_days_numbered') }}
),

settings as (
    select
        max(case when name = 'response_limit_hours' then cast(value as {{ type_double() }}) end) as response_limit_hours,
        max(case when name = 'repeat_window_days' then cast(value as {{ dbt.type_bigint() }}) end) as repeat_window_days
    from settings_rows
),

keyword_matches as (
    select
        orders.order_id,
        topics.topic,
        topics.subtopic,
        topics.keyword,
        row_number() over (
            partition by orders.order_id
            order by
                case when {{ dbt.position('topics.keyword', "coalesce(orders.title_masked, '')") }} > 0 then 0 else 1 end,
                length(topics.keyword) desc,
                {{ dbt.position('topics.keyword', "coalesce(orders.title_masked, '') || ' | ' || coalesce(orders.content_masked, '')") }},
                topics.topic, topics.subtopic, topics.keyword
        ) as match_rank
    from orders
    inner join topics
        on {{ dbt.position('topics.keyword', "coalesce(orders.title_masked, '') || ' | ' || coalesce(orders.content_masked, '')") }} > 0
    where orders.category is null
),

classified as (
    select
        orders.*,
        coalesce(orders.category, keyword_matches.topic) as topic,
        case when orders.category is not null then orders.subcategory else keyword_matches.subtopic end as subtopic,
        keyword_matches.keyword as topic_keyword,
        case
            when orders.category is not null then 'export'
            when keyword_matches.topic is not null then 'keyword'
            else 'none'
        end as topic_source
    from orders
    left join keyword_matches on orders.order_id = keyword_matches.order_id and keyword_matches.match_rank = 1
),

repeat_pairs as (
    select
        later.order_id,
        earlier.order_id as earlier_order_id,
        row_number() over (
            partition by later.order_id order by earlier.received_at desc, earlier.order_id desc
        ) as pair_rank
    from classified as later
    cross join settings
    inner join classified as earlier
        on later.community_code = earlier.community_code
        and later.topic = earlier.topic
        and (later.grid_code = earlier.grid_code or later.place_words = earlier.place_words)
        and (
            earlier.received_at < later.received_at
            or (earlier.received_at = later.received_at and earlier.order_id < later.order_id)
        )
        and later.received_at <= {{ dbt.dateadd('day', 'settings.repeat_window_days', 'earlier.received_at') }}
),

final as (
    select
        classified.*,
        {{ minutes_to_hours(dbt.datediff('classified.received_at', 'classified.replied_at', 'minute')) }} as reply_hours,
        replied_day.working_day_number - received_day.working_day_number as reply_working_days,
        coalesce(
            {{ dbt.datediff('classified.received_at', 'classified.replied_at', 'minute') }}
            <= settings.response_limit_hours * 60, false
        ) as is_responded_in_time,
        coalesce(classified.status in (
            select settings_rows.value from settings_rows where settings_rows.name = 'resolved_status'
        ), false) as is_resolved,
        coalesce(classified.satisfaction in (
            select settings_rows.value from settings_rows where settings_rows.name in ('satisfied_value', 'unsatisfied_value')
        ), false) as is_evaluated,
        coalesce(classified.satisfaction in (
            select settings_rows.value from settings_rows where settings_rows.name = 'satisfied_value'
        ), false) as is_satisfied,
        repeat_pairs.order_id is not null as is_repeat,
        repeat_pairs.earlier_order_id as repeat_of_order_id
    from classified
    cross join settings
    left join calendar as received_day on cast(classified.received_at as date) = received_day.calendar_date
    left join calendar as replied_day on cast(classified.replied_at as date) = replied_day.calendar_date
    left join repeat_pairs on classified.order_id = repeat_pairs.order_id and repeat_pairs.pair_rank = 1
)

select * from final
