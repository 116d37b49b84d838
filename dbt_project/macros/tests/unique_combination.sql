{#- Rows whose combination of `columns` is not unique (a local stand-in for dbt_utils, which
    would need a package download). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
