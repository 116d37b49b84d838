-- One row per grid worker and month they held a grid: the 100-point score from the weights of the
-- seed assessment_weights, the pay band (seed pay_bands), the rank in the street and the
-- last-place and laggard streaks of DOMAIN.md §6.1 B.
with

scores as (
    select * from {{ ref('metric_worker_assessment_scores') }}
),

bands as (
    select * from {{ ref('pay_bands') }}
),

workers as (
    select * from {{ ref('dim_workers') }}
),

ranked as (
    select
        *,
        rank() over (partition by street_code, month_start order by score desc) as rank_in_street,
        rank() over (partition by street_code, month_start order by score) as rank_from_bottom,
        count(*) over (partition by street_code, month_start) as workers_in_street,
        {{ dbt.datediff("cast('2000-01-01' as date)", 'month_start', 'month') }} as month_number
    from scores
),

flagged as (
    select
        *,
        rank_from_bottom = 1 and workers_in_street > 1 as is_last_in_street,
        rank_from_bottom <= ceiling(workers_in_street * {{ var('laggard_share') }}) and workers_in_street > 1 as is_laggard
    from ranked
),

streaks as (
    select
        *,
        month_number - row_number() over (partition by worker_id, is_last_in_street order by month_start) as last_place_run
    from flagged
),

counted as (
    select
        streaks.worker_id,
        workers.worker_name,
        streaks.month_start,
        streaks.grid_codes,
        streaks.grids_held,
        streaks.community_code,
        streaks.street_code,
        {% for measure in ['working_days_assigned', 'required_patrol_days', 'patrolled_working_days', 'work_log_days',
                           'households_visited', 'household_visit_target', 'key_persons_visited',
                           'key_person_visit_target', 'cases_accepted', 'cases_handled_on_time', 'cases_evaluated',
                           'cases_satisfied', 'patrol_rate', 'household_visits_rate', 'key_person_visits_rate',
                           'on_time_handling_rate', 'satisfaction_rate', 'work_log_rate', 'score'] %}
        streaks.{{ measure }},
        {% endfor %}
        bands.pay_band,
        bands.pay_share,
        bands.pay_share * {{ var('assessment_pay_share') }} as salary_share_released,
        streaks.rank_in_street,
        streaks.workers_in_street,
        streaks.is_last_in_street,
        case when streaks.is_last_in_street then row_number() over (
            partition by streaks.worker_id, streaks.is_last_in_street, streaks.last_place_run order by streaks.month_start
        ) else 0 end as last_place_streak,
        streaks.is_laggard,
        cast(sum(case when streaks.is_laggard then 1 else 0 end) over (
            partition by streaks.worker_id, {{ dbt.date_trunc('year', 'streaks.month_start') }}
            order by streaks.month_start rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as laggard_months_in_year
    from streaks
    left join bands
        on streaks.score >= bands.min_score and (bands.max_score is null or streaks.score < bands.max_score)
    left join workers on streaks.worker_id = workers.worker_id
),

final as (
    select
        *,
        last_place_streak >= {{ var('last_place_penalty_months') }} as has_last_place_penalty,
        laggard_months_in_year >= {{ var('laggard_penalty_months') }} as has_laggard_penalty
    from counted
)

select * from final
