-- One row per community and month whose population register landed: when it was first received
-- (the ledger's received_at of the first readable file, its own or a street-wide one), whether by var('register_due_day') (25th),
-- and whether the previous month's register landed too (then flows can be computed).
with

registers as (
    select distinct community_code, month_start from {{ ref('stg_population__residents') }}
),

files as (
    select * from {{ ref('stg_lake__files') }}
    where source_name = 'population' and file_status in ('landed', 'superseded')
),

-- a street-wide register names no community in the ledger: its rows say which ones it covered
register_files as (
    select distinct community_code, month_start, file_hash from {{ ref('stg_population__residents') }}
),

receipts as (
    select community_code, cast(report_month || '-01' as date) as month_start, received_at
    from files
    where community_code is not null
    union all
    select register_files.community_code, register_files.month_start, files.received_at
    from register_files
    inner join files on register_files.file_hash = files.file_hash
),

received as (
    select community_code, month_start, min(received_at) as first_received_at
    from receipts
    group by community_code, month_start
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
