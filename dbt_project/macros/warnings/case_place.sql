{#- The place a case's description opens with: a road, street or lane and its door number
    (华阳大道12号), or an estate, building or market and an optional building number
    (锦江花园3栋); '' when the text names none. The grid plus this place identify "the same place"
    for repeat problems. -#}
{% macro case_place(text) -%}
    {{ return(adapter.dispatch('case_place')(text)) }}
{%- endmacro %}

{% macro default__case_place(text) -%}
    regexp_extract(
        coalesce({{ text }}, ''),
        '^[\p{Han}A-Za-z0-9]{1,15}?(?:大道|路|街|巷|道)[0-9]+号|^[\p{Han}A-Za-z0-9]{2,15}?(?:小区|花园|家园|苑|公寓|大厦|广场|市场)(?:[0-9]+(?:栋|幢|号楼))?',
        0
    )
{%- endmacro %}

{#- Spark: Java regex names the script \p{IsHan}, and Spark's string literals unescape backslashes,
    so they are doubled. -#}
{% macro spark__case_place(text) -%}
    regexp_extract(
        coalesce({{ text }}, ''),
        '^[\\p{IsHan}A-Za-z0-9]{1,15}?(?:大道|路|街|巷|道)[0-9]+号|^[\\p{IsHan}A-Za-z0-9]{2,15}?(?:小区|花园|家园|苑|公寓|大厦|广场|市场)(?:[0-9]+(?:栋|幢|号楼))?',
        0
    )
{%- endmacro %}
