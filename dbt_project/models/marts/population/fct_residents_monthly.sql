-- One row per pseudonymised person, community and register month, on the grid version of the month.
-- Care tags only: sensitive tags (person_tags.is_sensitive) never appear per person.
with

residents as (
    select * from {{ ref('stg_population__residents') }}
),

versions as (
    select grid_code, grid_version_id, valid_from, valid_to from {{ ref('int_grids_versioned') }}
),

-- The grid version of a register month is the latest one in force during the month, as in
-- int_grid_versions_monthly, but over whole months: the population side then does not depend on
-- the case and patrol data range, and a run that brings a day's case log leaves it as it is.
register_months as (
    select distinct grid_code, month_start from residents
),

grid_months as (
    select
        register_months.grid_code,
        register_months.month_start,
        versions.grid_version_id,
        row_number() over (
            partition by register_months.grid_code, register_months.month_start order by versions.valid_from desc
        ) as recency
    from register_months
    inner join versions
        on register_months.grid_code = versions.grid_code
        and versions.valid_from <= cast({{ dbt.last_day('register_months.month_start', 'month') }} as date)
        and (versions.valid_to is null or versions.valid_to >= register_months.month_start)
),

tagged as (
    select * from {{ ref('int_residents_tagged') }}
),

care_tags as (
    select
        person_id,
        community_code,
        month_start,
        {{ dbt.listagg('tag_name', "';'", 'order by tag_code') }} as care_tags
    from tagged
    where not is_sensitive
    group by person_id, community_code, month_start
),

final as (
    select
        residents.person_id,
        residents.month_start,
        residents.community_code,
        residents.grid_code,
        grid_months.grid_version_id,
        residents.id_kind,
        residents.sex,
        residents.birth_date,
        residents.region_code,
        residents.registration_type,
        residents.residence_status,
        {{ is_resident('residents.residence_status') }} as is_resident,
        care_tags.care_tags,
        residents.registered_date,
        residents.updated_date
    from residents
    left join grid_months
        on residents.grid_code = grid_months.grid_code and residents.month_start = grid_months.month_start
        and grid_months.recency = 1
    left join care_tags
        on residents.person_id = care_tags.person_id
        and residents.community_code = care_tags.community_code
        and residents.month_start = care_tags.month_start
)

select * from final
