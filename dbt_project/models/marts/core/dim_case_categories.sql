with

categories as (
    select * from {{ ref('case_categories') }}
),

final as (
    select subcategory_code, subcategory_name, category_code, category_name
    from categories
)

select * from final
