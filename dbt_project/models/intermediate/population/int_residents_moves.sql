-- One row per person whose place changed between a community's register of the previous month and
-- of this month: arrival (not a resident of the community before), departure or death (no longer
-- a resident), transfer (still a resident, another grid). Only months whose community sent both
-- registers are compared.
with

residents as (
    select person_id, community_code, month_start, grid_code, residence_status, {{ is_resident() }} as is_resident
    from {{ ref('stg_population__residents') }}
),

-- (the registers themselves, not int_registers_received: that one reads the ledger, which every run
-- changes, and moves only change when registers do)
registers as (
    select distinct community_code, month_start from residents
),

pairs as (
    select
        registers.community_code,
        registers.month_start,
        previous_month.month_start as previous_month_start
    from registers
    inner join registers as previous_month
        on registers.community_code = previous_month.community_code
        and previous_month.month_start = cast({{ dbt.dateadd('month', -1, 'registers.month_start') }} as date)
),

residents_now as (
    select residents.person_id, pairs.community_code, pairs.month_start, residents.grid_code
    from residents
    inner join pairs
        on residents.community_code = pairs.community_code and residents.month_start = pairs.month_start
    where residents.is_resident
),

residents_before as (
    select residents.person_id, pairs.community_code, pairs.month_start, residents.grid_code
    from residents
    inner join pairs
        on residents.community_code = pairs.community_code and residents.month_start = pairs.previous_month_start
    where residents.is_resident
),

compared as (
    select
        coalesce(residents_now.person_id, residents_before.person_id) as person_id,
        coalesce(residents_now.community_code, residents_before.community_code) as community_code,
        coalesce(residents_now.month_start, residents_before.month_start) as month_start,
        residents_before.grid_code as grid_code_before,
        residents_now.grid_code as grid_code_after
    from residents_now
    full outer join residents_before
        on residents_now.person_id = residents_before.person_id
        and residents_now.community_code = residents_before.community_code
        and residents_now.month_start = residents_before.month_start
    where residents_now.person_id is null
        or residents_before.person_id is null
        or residents_now.grid_code <> residents_before.grid_code
),

final as (
    select
        compared.*,
        residents.residence_status as status_after,
        case
            when compared.grid_code_before is null then 'arrival'
            when compared.grid_code_after is not null then 'transfer'
            when residents.residence_status = '死亡' then 'death'
            else 'departure'
        end as move_type
    from compared
    left join residents
        on compared.person_id = residents.person_id
        and compared.community_code = residents.community_code
        and compared.month_start = residents.month_start
)

select * from final
