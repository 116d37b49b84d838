{#- The same aggregate at the three area levels, stacked: one select per level grouped by
    <level>_code (grid_code, community_code, street_code must be columns of `source`), so that every
    level's figure is computed from the rows themselves, never averaged from the level below.
    `measures` is the select list of aggregates (a {% set %} block in the model). -#}
{% macro by_area_levels(source, measures, group_by=['period_type', 'period_start'], levels=['grid', 'community', 'street']) %}
    {% for level in levels %}
    select
        '{{ level }}' as area_level,
        {{ level }}_code as area_code,
        {{ group_by | join(', ') }},
        {{ measures }}
    from {{ source }}
    where {{ level }}_code is not null
    group by {{ level }}_code, {{ group_by | join(', ') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{% endmacro %}
