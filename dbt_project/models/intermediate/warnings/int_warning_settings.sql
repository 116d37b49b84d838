-- The early-warning parameters of the seed warning_settings as one row of typed columns.
with

settings_rows as (
    select * from {{ ref('warning_settings') }}
),

settings as (
    select
        {%- for name in ['rising_window_days', 'rising_baseline_days', 'rising_min_history_days', 'rising_min_count', 'hotspot_min_categories',
                         'risk_history_days', 'risk_min_group_cases', 'stall_min_cases', 'repeat_window_days',
                         'register_jump_min'] %}
        max(case when name = '{{ name }}' then cast(value as {{ dbt.type_bigint() }}) end) as {{ name }},
        {%- endfor %}
        {%- for name in ['rising_prior_days', 'rising_alpha', 'risk_threshold', 'stall_min_log10', 'register_jump_share'] %}
        max(case when name = '{{ name }}' then cast(value as {{ type_double() }}) end) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from settings_rows
)

select * from settings
