-- One row per area (grid, community, street) and period (month, quarter) with cases accepted in
-- it: the accepted cohort (应结案数, voided cases excluded) and what became of it (GB/T 30428).
with

cohort as (
    select * from {{ ref('metric_case_cohort_cases') }}
),

{% set measures %}
        {{ count_where('true') }} as cases_accepted,
        {{ count_where("is_closed") }} as cases_accepted_closed,
        {{ count_where("is_closed_on_time") }} as cases_closed_on_time,
        {{ count_where("is_handled_on_time") }} as cases_handled_on_time,
        {{ count_where("rework_count > 0") }} as cases_reworked,
        {{ count_where("satisfaction is not null") }} as cases_evaluated,
        {{ count_where("is_satisfied") }} as cases_satisfied,
        {{ count_where("is_closed and final_level = 1") }} as cases_closed_at_level_1,
        {{ count_where("is_closed and final_level <= 2") }} as cases_closed_within_community,
        percentile_cont(0.5) within group (order by case when is_closed then working_days_to_close end)
            as median_working_days_to_close
{% endset %}

final as (
    {{ by_area_levels('cohort', measures) }}
)

select * from final
