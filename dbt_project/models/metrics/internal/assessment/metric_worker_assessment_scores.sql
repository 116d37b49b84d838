-- One row per grid worker and month they held a grid: the component rates and the 100-point score
-- = round(Σ weight × rate, 2) with the weights of the seed assessment_weights.
with

rates as (
    select * from {{ ref('metric_worker_assessment_rates') }}
),

weights as (
    select * from {{ ref('assessment_weights') }}
),

scored as (
    select
        rates.worker_id,
        rates.month_start,
        round(sum(weights.weight * case weights.component_code
            {% for component in ['patrol', 'household_visits', 'key_person_visits', 'on_time_handling', 'satisfaction', 'work_log'] %}
            when '{{ component }}' then rates.{{ component }}_rate
            {% endfor %}
        end), 2) as score
    from rates
    cross join weights
    group by rates.worker_id, rates.month_start
),

final as (
    select rates.*, scored.score
    from rates
    inner join scored on rates.worker_id = scored.worker_id and rates.month_start = scored.month_start
)

select * from final
