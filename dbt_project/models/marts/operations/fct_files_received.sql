with

files as (
    select * from {{ ref('stg_lake__files') }}
)

select * from files
