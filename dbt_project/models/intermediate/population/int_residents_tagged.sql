-- One row per person, register month and tag of the seed person_tags found in the register's
-- tags (the lake joins several tags with `;`). Sensitive tags stay here and in counts only.
with

residents as (
    select person_id, community_code, month_start, grid_code, residence_status, tags
    from {{ ref('stg_population__residents') }}
    where tags is not null
),

tags as (
    select * from {{ ref('person_tags') }}
),

final as (
    select
        residents.person_id,
        residents.community_code,
        residents.month_start,
        residents.grid_code,
        {{ is_resident('residents.residence_status') }} as is_resident,
        tags.tag_code,
        tags.tag_name,
        tags.is_sensitive,
        tags.is_key_person
    from residents
    inner join tags
        on {{ dbt.position(dbt.concat(["';'", 'tags.tag_name', "';'"]), dbt.concat(["';'", 'residents.tags', "';'"])) }} > 0
)

select * from final
