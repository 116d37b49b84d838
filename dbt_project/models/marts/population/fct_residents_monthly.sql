with

residents as (
    select * from {{ ref('stg_population__residents') }}
),

final as (
    select
        person_id,
        month_start,
        community_code,
        grid_code,
        id_kind,
        sex,
        birth_date,
        region_code,
        registration_type,
        residence_status,
        residence_status in ({{ "'" ~ var('resident_statuses') | join("', '") ~ "'" }}) as is_resident,
        tags,
        registered_date,
        updated_date
    from residents
)

select * from final
