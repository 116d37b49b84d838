-- Early warnings (研判预警, DESIGN.md §9): one row per warning and as-of day, each with its evidence.
-- Kinds: rising (上升问题: a grid × case category, or a community × 12345 topic, whose last week
-- crosses its control limit), hotspot (热点网格: a grid rising in several categories, or rising
-- while a neighbour does), stalled_grid (办理滞后: a grid whose open cases are jointly far too old
-- for their kind), deadline_risk (超期风险: an open case likely to miss its deadline), repeat (重复
-- 问题: the same place and category again soon after closing) and register_jump (人口异动: a grid's
-- residents jumping from one month's register to the next). A warning of day D uses only data
-- known by the end of D, so the history of this table is what a user would have been told each
-- day. Consecutive days of one warning form an episode: warning_id and first_as_of_date. Kinds
-- without a series of their own (hot spots, stalled grids, deadline risk) show the episode's daily
-- observed values as their evidence series.
with

settings as (
    select * from {{ ref('int_warning_settings') }}
),

rising_cases as (
    select * from {{ ref('int_warning_rising_cases') }}
),

rising_hotline as (
    select * from {{ ref('int_warning_rising_hotline') }}
),

open_cases as (
    select * from {{ ref('int_warning_open_cases') }}
),

repeats as (
    select * from {{ ref('int_warning_repeats') }}
),

neighbours as (
    select * from {{ ref('int_warning_grid_neighbours') }}
),

grid_months as (
    select * from {{ ref('fct_population_grid_monthly') }}
),

files as (
    select * from {{ ref('fct_files_received') }}
),

rising as (
    select
        'rising' as kind,
        'cases' as source,
        rising_cases.street_code,
        rising_cases.community_code,
        rising_cases.grid_code,
        rising_cases.category,
        cast(null as {{ dbt.type_string() }}) as subject,
        rising_cases.as_of_date,
        rising_cases.observed,
        rising_cases.expected,
        rising_cases.upper_limit,
        least(-ln(greatest(rising_cases.p_value, 1e-16)) / ln(10), 16.0) as score,
        rising_cases.evidence_series,
        '近' || cast(settings.rising_window_days as {{ dbt.type_string() }}) || '天上报'
            || cast(cast(rising_cases.observed as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
            || '件，按本网格历史预期' || cast(round(rising_cases.expected, 1) as {{ dbt.type_string() }})
            || '件，控制上限' || cast(cast(rising_cases.upper_limit as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) || '件'
            as evidence
    from rising_cases
    cross join settings
    union all
    select
        'rising' as kind,
        'hotline' as source,
        rising_hotline.street_code,
        rising_hotline.community_code,
        cast(null as {{ dbt.type_string() }}) as grid_code,
        rising_hotline.category,
        cast(null as {{ dbt.type_string() }}) as subject,
        rising_hotline.as_of_date,
        rising_hotline.observed,
        rising_hotline.expected,
        rising_hotline.upper_limit,
        least(-ln(greatest(rising_hotline.p_value, 1e-16)) / ln(10), 16.0) as score,
        rising_hotline.evidence_series,
        '近' || cast(settings.rising_window_days as {{ dbt.type_string() }}) || '天受理12345工单'
            || cast(cast(rising_hotline.observed as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
            || '件，按本社区历史预期' || cast(round(rising_hotline.expected, 1) as {{ dbt.type_string() }})
            || '件，控制上限' || cast(cast(rising_hotline.upper_limit as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) || '件'
            as evidence
    from rising_hotline
    cross join settings
),

grid_rising as (
    select
        street_code,
        community_code,
        grid_code,
        as_of_date,
        count(*) as rising_categories,
        sum(score) as rising_score,
        {{ dbt.listagg('category', "'、'", "order by category") }} as categories
    from rising
    where source = 'cases'
    group by street_code, community_code, grid_code, as_of_date
),

neighbours_rising as (
    select
        neighbours.grid_code,
        neighbour.as_of_date,
        count(*) as rising_neighbours,
        {{ dbt.listagg('neighbour.grid_code', "'、'", "order by neighbour.grid_code") }} as neighbour_grids
    from neighbours
    inner join grid_rising as neighbour on neighbours.neighbour_grid_code = neighbour.grid_code
    group by neighbours.grid_code, neighbour.as_of_date
),

hotspots as (
    select
        'hotspot' as kind,
        'cases' as source,
        grid_rising.street_code,
        grid_rising.community_code,
        grid_rising.grid_code,
        grid_rising.categories as category,
        cast(null as {{ dbt.type_string() }}) as subject,
        grid_rising.as_of_date,
        cast(grid_rising.rising_categories + coalesce(neighbours_rising.rising_neighbours, 0) as {{ type_double() }}) as observed,
        cast(null as {{ type_double() }}) as expected,
        cast(settings.hotspot_min_categories as {{ type_double() }}) as upper_limit,
        grid_rising.rising_score as score,
        cast(null as {{ dbt.type_string() }}) as evidence_series,
        cast(grid_rising.rising_categories as {{ dbt.type_string() }}) || '类问题上升（' || grid_rising.categories || '）'
            || case
                when neighbours_rising.rising_neighbours > 0
                    then '；相邻网格' || neighbours_rising.neighbour_grids || '同时预警'
                else ''
            end as evidence
    from grid_rising
    cross join settings
    left join neighbours_rising
        on grid_rising.grid_code = neighbours_rising.grid_code and grid_rising.as_of_date = neighbours_rising.as_of_date
    where grid_rising.rising_categories >= settings.hotspot_min_categories
        or neighbours_rising.rising_neighbours > 0
),

lingering as (
    select
        open_cases.*,
        -ln(greatest(open_cases.still_open_chance, 0.5 / greatest(open_cases.history_cases, 1))) / ln(10) as rarity
    from open_cases
    where open_cases.still_open_chance < 0.5 and open_cases.grid_code is not null
),

stalled as (
    select
        'stalled_grid' as kind,
        'cases' as source,
        lingering.street_code,
        lingering.community_code,
        lingering.grid_code,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ dbt.type_string() }}) as subject,
        lingering.as_of_date,
        cast(count(*) as {{ type_double() }}) as observed,
        sum(lingering.still_open_chance) as expected,
        cast(null as {{ type_double() }}) as upper_limit,
        sum(lingering.rarity) as score,
        cast(null as {{ dbt.type_string() }}) as evidence_series,
        cast(count(*) as {{ dbt.type_string() }}) || '件事件久拖未结（其中'
            || cast({{ count_where('lingering.is_overdue') }} as {{ dbt.type_string() }})
            || '件已超期）；按同类事件历史，这些事件同时仍未结的可能性约为'
            || {{ double_text('round(100 * power(10, -sum(lingering.rarity)), 4)') }} || '%'
            as evidence
    from lingering
    cross join settings
    group by lingering.street_code, lingering.community_code, lingering.grid_code, lingering.as_of_date
    having count(*) >= max(settings.stall_min_cases) and sum(lingering.rarity) >= max(settings.stall_min_log10)
),

deadline_risk as (
    select
        'deadline_risk' as kind,
        'cases' as source,
        open_cases.street_code,
        open_cases.community_code,
        open_cases.grid_code,
        open_cases.category,
        open_cases.case_id as subject,
        open_cases.as_of_date,
        open_cases.miss_chance as observed,
        cast(null as {{ type_double() }}) as expected,
        settings.risk_threshold as upper_limit,
        open_cases.miss_chance as score,
        cast(null as {{ dbt.type_string() }}) as evidence_series,
        '已办理' || cast(open_cases.working_days_open as {{ dbt.type_string() }}) || '个工作日，时限'
            || cast(open_cases.deadline_working_days as {{ dbt.type_string() }}) || '个工作日；同类事件在此阶段的超期比例约'
            || cast(cast(round(100 * open_cases.miss_chance) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) || '%'
            as evidence
    from open_cases
    cross join settings
    where not open_cases.is_overdue and open_cases.miss_chance >= settings.risk_threshold
),

repeat_problems as (
    select
        'repeat' as kind,
        repeats.source,
        repeats.street_code,
        repeats.community_code,
        repeats.grid_code,
        repeats.category,
        repeats.subject,
        repeats.as_of_date,
        cast(repeats.earlier_items + 1 as {{ type_double() }}) as observed,
        cast(null as {{ type_double() }}) as expected,
        cast(settings.repeat_window_days as {{ type_double() }}) as upper_limit,
        cast(repeats.earlier_items + 1 as {{ type_double() }})
            + 1.0 / (1 + greatest(repeats.days_since_closed, 0)) as score,
        cast(null as {{ dbt.type_string() }}) as evidence_series,
        repeats.place || '的' || repeats.category || '问题在上次办结（' || repeats.previous_subject || '）后'
            || cast(repeats.days_since_closed as {{ dbt.type_string() }}) || '天再次出现；'
            || cast(settings.repeat_window_days as {{ dbt.type_string() }}) || '天内同地同类共'
            || cast(repeats.earlier_items + 1 as {{ dbt.type_string() }}) || '件'
            as evidence
    from repeats
    cross join settings
),

register_received as (
    select community_code, report_month, cast(max(received_at) as date) as received_date
    from files
    where source_name = 'population' and file_status = 'landed'
    group by community_code, report_month
),

register_changes as (
    select
        grid_months.grid_code,
        grid_months.community_code,
        grid_months.month_start,
        grid_months.residents,
        lag(grid_months.residents) over grid_order as previous_residents,
        lag(grid_months.grid_version_id) over grid_order as previous_grid_version_id,
        lag(grid_months.month_start) over grid_order as previous_month_start,
        grid_months.grid_version_id
        {%- for month in range(var('warning_series_weeks') - 1, 0, -1) %},
        lag(grid_months.residents, {{ month }}) over grid_order as residents_lag_{{ month }}
        {%- endfor %}
    from grid_months
    window grid_order as (partition by grid_months.grid_code order by grid_months.month_start)
),

register_jumps as (
    select
        'register_jump' as kind,
        'population' as source,
        communities.parent_code as street_code,
        register_changes.community_code,
        register_changes.grid_code,
        cast(null as {{ dbt.type_string() }}) as category,
        {{ dbt.date_trunc('month', 'register_changes.month_start') }} as subject_month,
        coalesce(
            register_received.received_date,
            {{ dbt.dateadd('day', var('register_due_day') - 1, 'register_changes.month_start') }}
        ) as as_of_date,
        cast(register_changes.residents as {{ type_double() }}) as observed,
        cast(register_changes.previous_residents as {{ type_double() }}) as expected,
        register_changes.previous_residents * (
            1 + case when register_changes.residents >= register_changes.previous_residents then 1 else -1 end
            * settings.register_jump_share
        ) as upper_limit,
        abs(register_changes.residents - register_changes.previous_residents)
            / cast(register_changes.previous_residents as {{ type_double() }}) as score,
        {% for month in range(var('warning_series_weeks') - 1, 0, -1) %}coalesce(cast(register_changes.residents_lag_{{ month }} as {{ dbt.type_string() }}), '') || ',' || {% endfor %}
        cast(register_changes.residents as {{ dbt.type_string() }}) as evidence_series,
        '实有人口由' || cast(register_changes.previous_residents as {{ dbt.type_string() }}) || '人变为'
            || cast(register_changes.residents as {{ dbt.type_string() }}) || '人（'
            || case when register_changes.residents >= register_changes.previous_residents then '+' else '' end
            || cast(cast(round(100.0 * (register_changes.residents - register_changes.previous_residents)
                / register_changes.previous_residents) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) || '%）'
            as evidence
    from register_changes
    cross join settings
    left join {{ ref('divisions') }} as communities on register_changes.community_code = communities.code
    left join register_received
        on register_changes.community_code = register_received.community_code
        and {{ month_key('register_changes.month_start') }} = register_received.report_month
    where register_changes.previous_residents > 0
        and register_changes.grid_version_id = register_changes.previous_grid_version_id
        and register_changes.previous_month_start = {{ dbt.dateadd('month', -1, 'register_changes.month_start') }}
        and abs(register_changes.residents - register_changes.previous_residents)
            > settings.register_jump_share * register_changes.previous_residents
        and abs(register_changes.residents - register_changes.previous_residents) >= settings.register_jump_min
),

all_warnings as (
    select * from rising
    union all
    select * from hotspots
    union all
    select * from stalled
    union all
    select * from deadline_risk
    union all
    select * from repeat_problems
    union all
    select
        kind, source, street_code, community_code, grid_code, category,
        {{ month_key('subject_month') }} as subject,
        as_of_date, observed, expected, upper_limit, score, evidence_series, evidence
    from register_jumps
),

keyed as (
    select
        *,
        kind || '|' || source || '|' || coalesce(grid_code, community_code, '') || '|'
            || coalesce(category, '') || '|' || coalesce(subject, '') as warning_key
    from all_warnings
),

islands as (
    select
        *,
        {{ dbt.dateadd('day', '-row_number() over (partition by warning_key order by as_of_date)', 'as_of_date') }} as island
    from keyed
),

episodes as (
    select
        *,
        min(as_of_date) over (partition by warning_key, island) as first_as_of_date
    from islands
),

final as (
    select
        {{ dbt.hash("warning_key || '|' || cast(first_as_of_date as " ~ dbt.type_string() ~ ")") }} as warning_id,
        cast(as_of_date as date) as as_of_date,
        cast(first_as_of_date as date) as first_as_of_date,
        cast({{ dbt.datediff('first_as_of_date', 'as_of_date', 'day') }} + 1 as {{ dbt.type_int() }}) as days_active,
        as_of_date = first_as_of_date as is_new,
        kind,
        case kind
            when 'rising' then '上升问题'
            when 'hotspot' then '热点网格'
            when 'stalled_grid' then '办理滞后'
            when 'deadline_risk' then '超期风险'
            when 'repeat' then '重复问题'
            when 'register_jump' then '人口异动'
        end as kind_name,
        source,
        street_code,
        community_code,
        grid_code,
        category,
        subject,
        observed,
        expected,
        upper_limit,
        score,
        coalesce(
            evidence_series,
            {{ recent_values('observed', 'warning_key, first_as_of_date', 'as_of_date', var('warning_series_weeks'), 4) }}
        ) as evidence_series,
        evidence
    from episodes
)

select * from final
