{#- Paths and file checks for lake inputs that may be absent: a source that has not landed a part
    yet, and the hand-kept corrections under data/corrections/ (next to data/lake). -#}

{#- A path under the lake folder (GRIDPULSE_LAKE, set by the pipeline runner). -#}
{% macro lake_path(relative) -%}
    {{ env_var('GRIDPULSE_LAKE', '../data/lake') }}/{{ relative }}
{%- endmacro %}

{#- A file of data/corrections/, the lake's sibling folder. -#}
{% macro corrections_path(file_name) -%}
    {{ lake_path('../corrections/' ~ file_name) }}
{%- endmacro %}

{#- True when at least one file matches the glob `pattern` at run time. While parsing (no
    connection) it answers true, so that the model's SQL names its source and dbt sees the edge. -#}
{% macro files_exist(pattern) %}
    {% if not execute %}
        {{ return(true) }}
    {% endif %}
    {% set found = run_query("select count(*) from glob('" ~ pattern | replace("'", "''") ~ "')") %}
    {{ return(found.columns[0].values()[0] > 0) }}
{% endmacro %}

{#- A select of `columns` (name → SQL type) cast to their types: from `relation` when
    `has_rows_source` is true, else an empty relation of the same shape. -#}
{% macro select_typed_or_empty(relation, columns, has_rows_source) %}
    select
    {%- for name, type in columns.items() %}
        cast({{ name if has_rows_source else 'null' }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    {% if has_rows_source %}
    from {{ relation }}
    {% else %}
    where false
    {% endif %}
{% endmacro %}
