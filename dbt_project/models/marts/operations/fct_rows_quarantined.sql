with

rows_quarantined as (
    select * from {{ ref('stg_lake__quarantined_rows') }}
)

select * from rows_quarantined
