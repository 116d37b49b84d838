{#- Aggregate expression: a hash of the lake files (file_hash) a case's steps came from. Any new,
    re-exported or backfilled day file that touches a case changes it; used to find the cases an
    incremental run must rebuild. -#}
{% macro case_source_fingerprint(file_hash='file_hash') %}
    {{- dbt.hash(dbt.listagg(file_hash, "','", 'order by ' ~ file_hash)) -}}
{% endmacro %}
