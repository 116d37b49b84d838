-- One row per pseudonymised person, community and register month, on the grid version of the month.
-- Care tags only: sensitive tags (person_tags.is_sensitive) never appear per person.
with

residents as (
    select * from {{ ref('stg_population__residents') }}
),

grid_months as (
    select * from {{ ref('int_grid_versions_monthly') }}
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
    left join care_tags
        on residents.person_id = care_tags.person_id
        and residents.community_code = care_tags.community_code
        and residents.month_start = care_tags.month_start
)

select * from final
