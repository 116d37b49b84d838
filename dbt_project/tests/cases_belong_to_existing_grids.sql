-- Every case lies in a grid of the grid table, in a version in force on the day it was reported.
with

cases as (
    select
        case_id,
        grid_code,
        cast(coalesce(reported_at, accepted_at) as date) as reported_date
    from {{ ref('fct_cases') }}
),

grids as (
    select * from {{ ref('dim_grids') }}
)

select cases.case_id, cases.grid_code, cases.reported_date
from cases
left join grids
    on cases.grid_code = grids.grid_code
    and cases.reported_date >= grids.valid_from
    and (grids.valid_to is null or cases.reported_date <= grids.valid_to)
where grids.grid_code is null
