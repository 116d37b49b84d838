{#- Rising problems of one source (DESIGN.md §9): `events` holds one row per event with the series
    keys, a `category` and `event_date`. For every series (its keys) and as-of day of
    int_warning_days it counts the last rising_window_days days and compares the count with its
    expected level:
    - the series' rate per working day is learned from its own rising_baseline_days days before the
      window (or as many as there are, once rising_min_history_days precede it), shrunk towards its category's street-wide rate per series with the weight of
      rising_prior_days working days (sparse series stay stable); the category's rate counts only
      the series seen by the as-of day;
    - a rest day (weekend, holiday) weighs the rest-day share of a working day's events that the
      whole source showed in the same history, so holidays and weekends lower the expected level;
    - the upper limit is the Poisson quantile at 1 − rising_alpha of the expected level; a count above
      it and at least rising_min_count warns.
    Returns one row per warning day with observed, expected, upper_limit, p_value and the last
    var('warning_series_weeks') window counts (oldest first) as evidence_series. -#}
{% macro rising_warnings(events, keys) -%}
{%- set weeks = var('warning_series_weeks') -%}
with

settings as (
    select * from {{ ref('int_warning_settings') }}
),

days as (
    select * from {{ ref('int_warning_days') }}
),

series as (
    select distinct {{ keys | join(', ') }}, category from {{ events }}
),

daily_events as (
    select {{ keys | join(', ') }}, category, event_date, count(*) as events
    from {{ events }}
    group by {{ keys | join(', ') }}, category, event_date
),

series_days as (
    select
        {% for key in keys %}series.{{ key }}, {% endfor %}
        series.category,
        days.as_of_date,
        days.is_working_day,
        coalesce(daily_events.events, 0) as events
    from series
    cross join days
    left join daily_events
        on {% for key in keys %}series.{{ key }} = daily_events.{{ key }} and {% endfor %}series.category = daily_events.category
        and days.as_of_date = daily_events.event_date
),

day_totals as (
    select
        days.as_of_date,
        days.is_working_day,
        coalesce(sum(daily_events.events), 0) as events
    from days
    left join daily_events on days.as_of_date = daily_events.event_date
    group by days.as_of_date, days.is_working_day
),

{#- Running totals per day and per series; a window's count is the difference of two of them, so
    the window lengths come from the seed. #}
day_running as (
    select
        days.as_of_date,
        days.day_index,
        sum(case when day_totals.is_working_day then 1 else 0 end) over running as working_days,
        sum(case when day_totals.is_working_day then 0 else 1 end) over running as rest_days,
        sum(case when day_totals.is_working_day then day_totals.events else 0 end) over running as working_events,
        sum(case when day_totals.is_working_day then 0 else day_totals.events end) over running as rest_events
    from day_totals
    inner join days on day_totals.as_of_date = days.as_of_date
    window running as (order by days.day_index rows between unbounded preceding and current row)
),

day_spans as (
    select
        ends.as_of_date,
        ends.working_days - coalesce(window_starts.working_days, 0) as window_working_days,
        ends.rest_days - coalesce(window_starts.rest_days, 0) as window_rest_days,
        coalesce(window_starts.working_days, 0) - coalesce(baseline_starts.working_days, 0) as baseline_working_days,
        coalesce(window_starts.rest_days, 0) - coalesce(baseline_starts.rest_days, 0) as baseline_rest_days,
        coalesce(window_starts.working_events, 0) - coalesce(baseline_starts.working_events, 0) as baseline_working_events,
        coalesce(window_starts.rest_events, 0) - coalesce(baseline_starts.rest_events, 0) as baseline_rest_events
    from day_running as ends
    cross join settings
    left join day_running as window_starts on window_starts.day_index = ends.day_index - settings.rising_window_days
    left join day_running as baseline_starts
        on baseline_starts.day_index = ends.day_index - settings.rising_window_days - settings.rising_baseline_days
    where ends.day_index + 1 >= settings.rising_window_days + settings.rising_min_history_days
),

day_rest_weights as (
    select
        day_spans.*,
        least(greatest(coalesce(
            (cast(baseline_rest_events as {{ type_double() }}) / nullif(baseline_rest_days, 0))
            / nullif(cast(baseline_working_events as {{ type_double() }}) / nullif(baseline_working_days, 0), 0),
            1.0), 0.1), 2.0) as rest_weight
    from day_spans
),

day_weights as (
    select
        as_of_date,
        rest_weight,
        window_working_days + rest_weight * window_rest_days as window_weight,
        baseline_working_days + rest_weight * baseline_rest_days as baseline_weight
    from day_rest_weights
),

series_running as (
    select
        series_days.*,
        days.day_index,
        sum(series_days.events) over (
            partition by {% for key in keys %}series_days.{{ key }}, {% endfor %}series_days.category
            order by days.day_index rows between unbounded preceding and current row
        ) as running_events
    from series_days
    inner join days on series_days.as_of_date = days.as_of_date
),

series_windows as (
    select
        ends.*,
        ends.running_events - coalesce(lag_0.running_events, 0) as observed,
        coalesce(lag_0.running_events, 0) - coalesce(baseline_starts.running_events, 0) as baseline_events
        {%- for week in range(1, weeks) %},
        coalesce(lag_{{ week - 1 }}.running_events, 0) - coalesce(lag_{{ week }}.running_events, 0) as observed_lag_{{ week }}
        {%- endfor %}
    from series_running as ends
    cross join settings
    {%- for week in range(weeks) %}
    left join series_running as lag_{{ week }}
        on {% for key in keys %}ends.{{ key }} = lag_{{ week }}.{{ key }} and {% endfor %}ends.category = lag_{{ week }}.category
        and lag_{{ week }}.day_index = ends.day_index - {{ week + 1 }} * settings.rising_window_days
    {%- endfor %}
    left join series_running as baseline_starts
        on {% for key in keys %}ends.{{ key }} = baseline_starts.{{ key }} and {% endfor %}ends.category = baseline_starts.category
        and baseline_starts.day_index = ends.day_index - settings.rising_window_days - settings.rising_baseline_days
),

category_rates as (
    select
        series_windows.category,
        series_windows.as_of_date,
        cast(sum(series_windows.baseline_events) as {{ type_double() }})
            / nullif({{ count_where('series_windows.running_events > 0') }}, 0) as baseline_events_per_series
    from series_windows
    group by series_windows.category, series_windows.as_of_date
),

expected as (
    select
        series_windows.*,
        day_weights.window_weight,
        greatest(
            (series_windows.baseline_events
                + settings.rising_prior_days * coalesce(category_rates.baseline_events_per_series, 0)
                / nullif(day_weights.baseline_weight, 0))
            / (day_weights.baseline_weight + settings.rising_prior_days)
            * day_weights.window_weight,
            1e-6
        ) as expected_events,
        settings.rising_alpha,
        settings.rising_min_count
    from series_windows
    inner join day_weights on series_windows.as_of_date = day_weights.as_of_date
    inner join category_rates
        on series_windows.category = category_rates.category and series_windows.as_of_date = category_rates.as_of_date
    cross join settings
),

candidates as (
    select *
    from expected
    where observed >= rising_min_count and observed > expected_events
),

{#- The Poisson distribution of each candidate's expected level up to one below its count. #}
poisson_terms as (
    select
        {% for key in keys %}candidates.{{ key }}, {% endfor %}
        candidates.category,
        candidates.as_of_date,
        counts.k,
        candidates.rising_alpha,
        exp(counts.k * ln(candidates.expected_events) - candidates.expected_events - {{ log_factorial("counts.k") }}) as probability
    from candidates
    inner join {{ ref('int_warning_counts') }} as counts on counts.k < candidates.observed
),

poisson as (
    select
        {% for key in keys %}{{ key }}, {% endfor %}
        category,
        as_of_date,
        min(case when cumulative >= 1 - rising_alpha then k end) as upper_limit,
        greatest(1 - max(cumulative), 0) as p_value
    from (
        select
            poisson_terms.*,
            sum(probability) over (
                partition by {% for key in keys %}{{ key }}, {% endfor %}category, as_of_date order by k
                rows between unbounded preceding and current row
            ) as cumulative
        from poisson_terms
    ) as cumulated
    group by {% for key in keys %}{{ key }}, {% endfor %}category, as_of_date
),

final as (
    select
        {% for key in keys %}candidates.{{ key }}, {% endfor %}
        candidates.category,
        candidates.as_of_date,
        cast(candidates.observed as {{ type_double() }}) as observed,
        candidates.expected_events as expected,
        cast(poisson.upper_limit as {{ type_double() }}) as upper_limit,
        poisson.p_value,
        {% for week in range(weeks - 1, 0, -1) %}cast(candidates.observed_lag_{{ week }} as {{ dbt.type_string() }}) || ',' || {% endfor %}
        cast(candidates.observed as {{ dbt.type_string() }}) as evidence_series
    from candidates
    inner join poisson
        on {% for key in keys %}candidates.{{ key }} = poisson.{{ key }} and {% endfor %}candidates.category = poisson.category
        and candidates.as_of_date = poisson.as_of_date
    where poisson.p_value < candidates.rising_alpha
)

select * from final
{%- endmacro %}
