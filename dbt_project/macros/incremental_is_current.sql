{#- True on an incremental run whose existing table already has every column documented for the
    model (its YAML lists them all; tests/dbt_project checks that) and the columns the incremental
    logic reads (`required`). A table from an older version of the model is then rebuilt whole
    instead of half-updated: the model selects every row and on_schema_change='sync_all_columns'
    reshapes the table first. -#}
{% macro incremental_is_current(required=[]) %}
    {% if not execute or not is_incremental() %}
        {{ return(false) }}
    {% endif %}
    {% set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list %}
    {% for column in (model.columns | list) + required %}
        {% if column | lower not in existing %}
            {{ return(false) }}
        {% endif %}
    {% endfor %}
    {{ return(true) }}
{% endmacro %}
