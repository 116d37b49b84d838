with

channels as (
    select * from {{ ref('case_channels') }}
),

final as (
    select channel_code, channel_name, channel_group, is_found_on_patrol
    from channels
)

select * from final
