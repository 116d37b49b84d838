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
    {{ return(adapter.dispatch('files_exist')(pattern)) }}
{% endmacro %}

{% macro default__files_exist(pattern) %}
    {% set found = run_query("select count(*) from glob('" ~ pattern | replace("'", "''") ~ "')") %}
    {{ return(found.columns[0].values()[0] > 0) }}
{% endmacro %}

{#- Spark SQL cannot list files (a path that matches nothing fails the query), so the caller says
    which optional inputs are absent: the patterns (as passed here) that match no file, in
    GRIDPULSE_ABSENT_INPUTS (a JSON list; pipelines/transform/dbt.py computes it before calling dbt)
    or var `absent_inputs`. -#}
{% macro spark__files_exist(pattern) %}
    {% set absent = var('absent_inputs', fromjson(env_var('GRIDPULSE_ABSENT_INPUTS', '[]'))) %}
    {{ return(pattern not in absent) }}
{% endmacro %}

{#- A header CSV file read as text columns (relation text for a from clause). -#}
{% macro read_csv_text(path, columns) %}
    {{ return(adapter.dispatch('read_csv_text')(path, columns)) }}
{% endmacro %}

{% macro default__read_csv_text(path, columns) %}
    {{ return("read_csv('" ~ path ~ "', header = true, all_varchar = true)") }}
{% endmacro %}

{#- Spark's csv.`path` relation takes no options: columns come by position (_c0, _c1, …) in the
    order of `columns`, which must be the file's, and the header line is dropped. -#}
{% macro spark__read_csv_text(path, columns) %}
    {% set names = columns | list %}
    {% set selected = [] %}
    {% for name in names %}{% do selected.append('_c' ~ loop.index0 ~ ' as ' ~ name) %}{% endfor %}
    {{ return("(select " ~ selected | join(', ') ~ " from csv.`" ~ path ~ "` where _c0 <> '" ~ names[0] ~ "')") }}
{% endmacro %}

{#- A select of `columns` (name → SQL type) cast to their types: from `relation` when
    `has_rows_source` is true, else an empty relation of the same shape. -#}
{% macro select_typed_or_empty(relation, columns, has_rows_source) %}
    select
    {%- for name, type in columns.items() %}
        cast({{ name if has_rows_source else 'null' }} as {{ sql_type(type) }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    {% if has_rows_source %}
    from {{ relation }}
    {% else %}
    where false
    {% endif %}
{% endmacro %}

{#- A type name as the adapter spells it: DuckDB's as written; Spark has no length-less varchar. -#}
{% macro sql_type(type) %}
    {{ return(adapter.dispatch('sql_type')(type)) }}
{% endmacro %}

{% macro default__sql_type(type) %}
    {{ return(type) }}
{% endmacro %}

{% macro spark__sql_type(type) %}
    {{ return({'varchar': 'string', 'text': 'string'}.get(type | lower, type)) }}
{% endmacro %}
