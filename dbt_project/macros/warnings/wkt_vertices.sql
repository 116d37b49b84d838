{#- One row per vertex of the outer ring of each WKT polygon of `relation`: the key column, the
    vertex's position in the ring (1-based, the closing vertex repeats the first) and x, y. -#}
{% macro wkt_vertices(relation, key, wkt) -%}
    {{ return(adapter.dispatch('wkt_vertices')(relation, key, wkt)) }}
{%- endmacro %}

{% macro default__wkt_vertices(relation, key, wkt) -%}
    select
        {{ key }},
        vertex_number,
        cast(split_part(trim(vertex), ' ', 1) as double) as x,
        cast(split_part(trim(vertex), ' ', 2) as double) as y
    from (
        select
            {{ key }},
            unnest(string_split(regexp_extract({{ wkt }}, '\(\(([^()]*)\)', 1), ',')) as vertex,
            generate_subscripts(string_split(regexp_extract({{ wkt }}, '\(\(([^()]*)\)', 1), ','), 1) as vertex_number
        from {{ relation }}
        where {{ wkt }} is not null
    ) as vertices
{%- endmacro %}

{#- Spark: split + posexplode (0-based position); the regex avoids backslashes, which Spark's string
    literals would unescape. -#}
{% macro spark__wkt_vertices(relation, key, wkt) -%}
    select
        {{ key }},
        vertex_position + 1 as vertex_number,
        cast(split_part(trim(vertex), ' ', 1) as double) as x,
        cast(split_part(trim(vertex), ' ', 2) as double) as y
    from (
        select
            {{ key }},
            posexplode(split(regexp_extract({{ wkt }}, '[(][(]([^()]*)[)]', 1), ',')) as (vertex_position, vertex)
        from {{ relation }}
        where {{ wkt }} is not null
    ) as vertices
{%- endmacro %}
