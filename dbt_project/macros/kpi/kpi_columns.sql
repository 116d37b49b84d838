{#- The KPI columns every kpi_* mart carries, in order, by the domain model they come from
    (metric_<domain>). Counts that mean "none" when the domain has no row are zero-filled; the
    population figures stay null without a register (never zeros: DESIGN.md §1). The formulas are
    in models/metrics/kpi/_kpi__models.yml. -#}
{% macro kpi_domains() %}
    {{ return({
        'coverage': {
            'zero_filled': ['grids_active', 'grids_with_worker', 'grids_with_backup_worker', 'grids_with_active_worker',
                            'grids_patrolled', 'grids_patrolled_at_frequency', 'grids_outside_size_band',
                            'required_patrol_days', 'patrolled_working_days', 'households_in_grid_tables',
                            'households_visited', 'households_visited_in_window', 'household_visit_target',
                            'key_persons_visited'],
            'nullable': ['key_persons_visited_in_window', 'key_person_visit_target'],
        },
        'population': {
            'zero_filled': ['registers_in_snapshot', 'registers_received', 'registers_on_time'],
            'nullable': ['persons_in_register', 'residents', 'residents_present', 'residents_away', 'residents_registered',
                         'residents_floating', 'residents_foreign', 'households', 'key_persons', 'moved_in',
                         'moved_out', 'transferred_in', 'transferred_out', 'deaths'],
        },
        'case_cohorts': {
            'zero_filled': ['cases_accepted', 'cases_accepted_closed', 'cases_closed_on_time', 'cases_handled_on_time',
                            'cases_reworked', 'cases_evaluated', 'cases_satisfied', 'cases_closed_at_level_1',
                            'cases_closed_within_community'],
            'nullable': ['median_working_days_to_close'],
        },
        'case_backlog': {
            'zero_filled': ['cases_closed', 'open_cases_at_end', 'overdue_open_cases',
                            'overdue_open_cases_over_5_working_days'],
            'nullable': ['overdue_age_mean_working_days', 'overdue_age_max_working_days'],
        },
    }) }}
{% endmacro %}

{#- The select list of metric_area_kpis for the joined domain models (aliased by domain name). -#}
{% macro kpi_joined_columns() %}
    {%- for domain, columns in kpi_domains().items() %}
        {%- for column in columns['zero_filled'] %}
        coalesce({{ domain }}.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        {%- for column in columns['nullable'] %}
        {{ domain }}.{{ column }}{{ ',' if not (loop.last and domain == 'case_backlog') }}
        {%- endfor %}
    {%- endfor %}
{% endmacro %}

{#- numerator / denominator as a float, null when the denominator is 0 or null. -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- A sensitive count as shown to users: `<5` below var('suppression_threshold'), else the number. -#}
{% macro suppressed_display(count) -%}
    case
        when {{ count }} is null then null
        when {{ count }} < {{ var('suppression_threshold') }} then '<{{ var("suppression_threshold") }}'
        else cast({{ count }} as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#- The rates and derived columns of metric_area_kpis, computed from the counts beside them. -#}
{% macro kpi_derived() %}
    {{ return([
        ('has_register', 'registers_in_snapshot > 0'),
        ('key_persons_display', suppressed_display('key_persons')),
        ('patrol_compliance_rate', safe_ratio('patrolled_working_days', 'required_patrol_days')),
        ('household_visit_coverage', safe_ratio('households_visited_in_window', 'household_visit_target')),
        ('key_person_visit_coverage', safe_ratio('key_persons_visited_in_window', 'key_person_visit_target')),
        ('register_on_time_rate', safe_ratio('registers_on_time', 'months_in_range * communities_total')),
        ('closure_rate', safe_ratio('cases_accepted_closed', 'cases_accepted')),
        ('on_time_closure_rate', safe_ratio('cases_closed_on_time', 'cases_accepted')),
        ('on_time_handling_rate', safe_ratio('cases_handled_on_time', 'cases_accepted')),
        ('rework_rate', safe_ratio('cases_reworked', 'cases_accepted')),
        ('satisfaction_rate', safe_ratio('cases_satisfied', 'cases_evaluated')),
        ('share_closed_at_level_1', safe_ratio('cases_closed_at_level_1', 'cases_accepted_closed')),
        ('share_closed_within_community', safe_ratio('cases_closed_within_community', 'cases_accepted_closed')),
    ]) }}
{% endmacro %}

{% macro kpi_rates() %}
    {%- for name, expression in kpi_derived() %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{% endmacro %}

{#- Every shared KPI column of a kpi_* mart, in order, selected from `relation`. -#}
{% macro kpi_mart_columns(relation) %}
    {%- for domain, columns in kpi_domains().items() %}
        {%- for column in columns['zero_filled'] + columns['nullable'] %}
        {{ relation }}.{{ column }},
        {%- endfor %}
    {%- endfor %}
    {%- for name, expression in kpi_derived() if name != 'has_register' %}
        {{ relation }}.{{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{% endmacro %}
