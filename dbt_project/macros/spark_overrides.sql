{#- Spark versions of dbt's cross-database macros where dbt-spark's own differ from what the models
    need (dbt_project.yml's dispatch puts this project before dbt for the `dbt` namespace). -#}

{#- dbt-spark's listagg ignores `order by` (collect_list's order is not deterministic). Here the
    values are collected with their sort key, sorted (array_sort on (key, value) structs; `desc`
    reverses) and joined; nulls are skipped as listagg does. One sort key. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set clause = order_by_clause | trim -%}
        {%- if clause[:8] | lower != 'order by' -%}
            {{ exceptions.raise_compiler_error('spark__listagg: expected "order by <expr> [asc|desc]", got ' ~ order_by_clause) }}
        {%- endif -%}
        {%- set key = clause[8:] | trim -%}
        {%- set descending = (key | lower)[-5:] == ' desc' -%}
        {%- if descending %}{% set key = key[:-5] %}{% elif (key | lower)[-4:] == ' asc' %}{% set key = key[:-4] %}{% endif -%}
        {%- set sorted = 'array_sort(collect_list(case when (' ~ measure ~ ') is not null then named_struct(\'k\', ' ~ key ~ ', \'v\', ' ~ measure ~ ') end))' -%}
        {%- set collected = 'transform(' ~ ('reverse(' ~ sorted ~ ')' if descending else sorted) ~ ', x -> x.v)' -%}
    {%- else -%}
        {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    array_join({{ 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' if limit_num else collected }}, {{ delimiter_text }})
{%- endmacro %}

{#- dbt-spark's seed loader binds values into its SQL with plain quotes in session mode: a value
    holding a quote breaks the statement and an empty cell becomes the text 'None'. Here values are
    written as escaped literals and empty cells as null. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {% set batch_size = get_batch_size() %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(batch_size) %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- elif value is boolean -%}
                        cast({{ 'true' if value else 'false' }} as {{ type }})
                    {%- else -%}
                        cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {% endset %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {% if loop.index0 == 0 %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}
    {{ return(statements[0]) }}
{% endmacro %}

{#- dbt-spark's datediff rounds sub-day parts up (ceil of seconds / 60 for minutes); DuckDB's
    date_diff, which the models were written against, counts the part's boundaries crossed. Here both
    ends are truncated to the part first, as DuckDB does; day and month likewise count boundaries. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set part = datepart | lower | trim("'") -%}
    {%- if part == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif part == 'month' -%}
        ((year({{ second_date }}) * 12 + month({{ second_date }})) - (year({{ first_date }}) * 12 + month({{ first_date }})))
    {%- elif part in ['hour', 'minute', 'second'] -%}
        {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1}[part] -%}
        cast((unix_timestamp(date_trunc('{{ part }}', {{ second_date }})) - unix_timestamp(date_trunc('{{ part }}', {{ first_date }}))) / {{ seconds }} as bigint)
    {%- else -%}
        {{ exceptions.raise_compiler_error('spark__datediff: unsupported date part ' ~ datepart) }}
    {%- endif -%}
{%- endmacro %}
