{#- True when a register row counts as an actual resident (实有人口) of its month:
    its status is one of var('resident_statuses') (在住, 外出). -#}
{% macro is_resident(status_column='residence_status') %}
    {{- status_column }} in ({{ "'" ~ var('resident_statuses') | join("', '") ~ "'" }})
{%- endmacro %}
