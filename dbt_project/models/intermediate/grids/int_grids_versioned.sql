-- A grid version is a (grid_code, valid_from) pair; it ends the day before the next version of
-- the same code starts, or the day before the first grid table of its street that no longer lists
-- it (each street sends its own table: another street's table retires nothing).
with

grids as (
    select * from {{ ref('stg_grids__grids') }}
),

tables_received as (
    select distinct street_code, table_as_of_date from grids
),

latest_attributes as (
    select
        *,
        row_number() over (
            partition by grid_code, valid_from order by table_as_of_date desc, source_row asc
        ) as recency
    from grids
),

last_listed as (
    select grid_code, valid_from, min(street_code) as street_code, max(table_as_of_date) as last_listed_on
    from grids
    group by grid_code, valid_from
),

retired as (
    select
        last_listed.grid_code,
        last_listed.valid_from,
        min(tables_received.table_as_of_date) as retired_on
    from last_listed
    left join tables_received
        on last_listed.street_code = tables_received.street_code
        and last_listed.last_listed_on < tables_received.table_as_of_date
    group by last_listed.grid_code, last_listed.valid_from
),

versions as (
    select
        {{ dbt.concat(["latest_attributes.grid_code", "'@'", "cast(latest_attributes.valid_from as " ~ dbt.type_string() ~ ")"]) }} as grid_version_id,
        latest_attributes.grid_code,
        latest_attributes.grid_name,
        latest_attributes.community_code,
        latest_attributes.grid_type,
        latest_attributes.is_exclusive,
        latest_attributes.household_count,
        latest_attributes.resident_count,
        latest_attributes.grid_chief_name,
        latest_attributes.worker_name,
        latest_attributes.worker_id,
        latest_attributes.backup_worker_id,
        latest_attributes.boundary_wkt,
        latest_attributes.valid_from,
        cast(coalesce(
            {{ dbt.dateadd('day', -1, 'lead(latest_attributes.valid_from) over (partition by latest_attributes.grid_code order by latest_attributes.valid_from)') }},
            {{ dbt.dateadd('day', -1, 'retired.retired_on') }}
        ) as date) as valid_to
    from latest_attributes
    inner join retired
        on latest_attributes.grid_code = retired.grid_code
        and latest_attributes.valid_from = retired.valid_from
    where latest_attributes.recency = 1
)

select * from versions
