-- One row per community and month whose population register landed: when it was first received
-- (the ledger's received_at of the first readable file), whether by var('register_due_day') (25th),
-- and whether the previous month's register landed too (then flows can be computed).
with

registers as (
    select distinct community_code, month_start from {{ ref('stg_population__residents') }}
),

files as (
    select * from {{ ref('stg_lake__files') }}
    where source_name = 'population' and file_status in ('landed', 'superseded')
),

received as (
    select community_code, cast(report_month || '-01' as date) as month_start, min(received_at) as first_received_at
    from files
    group by community_code, cast(report_month || '-01' as date)
),

final as (
    select
        registers.community_code,
        registers.month_start,
        received.first_received_at,
        coalesce(
            received.first_received_at < {{ dbt.dateadd('day', var('register_due_day'), 'registers.month_start') }},
            false
        ) as is_on_time,
        previous_month.month_start is not null as has_previous_register
    from registers
    left join received
        on registers.community_code = received.community_code and registers.month_start = received.month_start
    left join registers as previous_month
        on registers.community_code = previous_month.community_code
        and previous_month.month_start = cast({{ dbt.dateadd('month', -1, 'registers.month_start') }} as date)
)

select * from final
