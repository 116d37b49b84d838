{#- CTE body: for each row of `relation` (its case_id and `key` column), the handling level of the
    case's latest level change before `before` (int_warning_level_changes), as the row with
    recency = 1. A case without such a change keeps its initial level (the caller's coalesce). -#}
{% macro levels_known_before(relation, key, before) -%}
    select
        {{ relation }}.{{ key }},
        {{ relation }}.case_id,
        level_changes.handling_level,
        row_number() over (
            partition by {{ relation }}.{{ key }}, {{ relation }}.case_id
            order by level_changes.changed_at desc, level_changes.step_number desc
        ) as recency
    from {{ relation }}
    inner join {{ ref('int_warning_level_changes') }} as level_changes
        on {{ relation }}.case_id = level_changes.case_id and {{ before }} > level_changes.changed_at
{%- endmacro %}
