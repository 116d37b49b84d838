-- One row per 12345 hotline work order: the latest version the lake holds (from the file received
-- last, then the latest reply, then the latest row of that file), with the manual placement of
-- data/corrections/hotline_places.csv applied over the ingest's placement (its latest correction
-- per order). Both inputs may be absent: a lake without a hotline part or a missing corrections
-- file read as empty relations of the same columns (macros/lake/lake_files.sql).
{% set lake_orders = source('lake', 'hotline') %}
{% set corrections_file = corrections_path('hotline_places.csv') %}

with

source as (
    {{ select_typed_or_empty(lake_orders, {
        'order_id': 'varchar', 'received_at': 'timestamp', 'title': 'varchar', 'content': 'varchar',
        'order_type': 'varchar', 'channel': 'varchar', 'district': 'varchar', 'handling_unit': 'varchar',
        'status': 'varchar', 'reply': 'varchar', 'replied_at': 'timestamp', 'transfers': 'bigint',
        'satisfaction': 'varchar', 'anonymity': 'varchar', 'category': 'varchar', 'subcategory': 'varchar',
        'case_id': 'varchar', 'street_code': 'varchar', 'community_code': 'varchar', 'grid_code': 'varchar',
        'place_words': 'varchar', 'place_confidence': type_double(), 'place_method': 'varchar',
        'source_file': 'varchar', 'source_row': 'bigint', 'file_hash': 'varchar'},
        files_exist(lake_path('hotline/month=*/*.parquet'))) }}
),

corrections_file as (
    {%- set correction_columns = {
        'order_id': 'varchar', 'community_code': 'varchar', 'grid_code': 'varchar', 'corrected_at': 'varchar'} %}
    {{ select_typed_or_empty(read_csv_text(corrections_file, correction_columns), correction_columns,
        files_exist(corrections_file)) }}
),

files as (
    select * from {{ ref('stg_lake__files') }}
),

divisions as (
    select * from {{ ref('divisions') }}
),

-- A file's rows landed when it was first received; a later byte-identical copy lands nothing.
file_receipts as (
    select file_hash, min(received_at) as file_received_at
    from files
    group by file_hash
),

versions as (
    select
        source.*,
        file_receipts.file_received_at,
        row_number() over (
            partition by source.order_id
            order by file_receipts.file_received_at desc nulls last, source.replied_at desc nulls last,
                source.source_file desc, source.source_row desc
        ) as version_rank,
        count(*) over (partition by source.order_id) as versions_landed
    from source
    left join file_receipts on source.file_hash = file_receipts.file_hash
    where source.order_id is not null
),

corrections_ranked as (
    select
        trim(order_id) as order_id,
        coalesce(nullif(trim(community_code), ''), left(nullif(trim(grid_code), ''), 12)) as community_code,
        nullif(trim(grid_code), '') as grid_code,
        try_cast(corrected_at as timestamp) as corrected_at,
        row_number() over (
            partition by trim(order_id)
            order by try_cast(corrected_at as timestamp) desc nulls last, community_code desc, grid_code desc
        ) as correction_rank
    from corrections_file
    where nullif(trim(order_id), '') is not null
        and coalesce(nullif(trim(community_code), ''), nullif(trim(grid_code), '')) is not null
),

corrections as (
    select
        corrections_ranked.order_id,
        corrections_ranked.community_code,
        corrections_ranked.grid_code,
        corrections_ranked.corrected_at,
        divisions.parent_code as street_code
    from corrections_ranked
    left join divisions on corrections_ranked.community_code = divisions.code
    where corrections_ranked.correction_rank = 1
),

renamed as (
    select
        versions.order_id,
        versions.received_at,
        cast({{ dbt.date_trunc('month', 'versions.received_at') }} as date) as month_start,
        versions.title as title_masked,
        versions.content as content_masked,
        versions.order_type,
        versions.channel,
        versions.district,
        versions.handling_unit,
        versions.status,
        versions.reply as reply_masked,
        versions.replied_at,
        versions.transfers,
        versions.satisfaction,
        versions.anonymity,
        nullif(trim(versions.category), '') as category,
        nullif(trim(versions.subcategory), '') as subcategory,
        nullif(trim(versions.case_id), '') as case_id,
        case when corrections.order_id is null then versions.street_code else corrections.street_code end as street_code,
        case
            when corrections.order_id is null then versions.community_code else corrections.community_code
        end as community_code,
        case when corrections.order_id is null then versions.grid_code else corrections.grid_code end as grid_code,
        versions.place_words,
        case when corrections.order_id is null then versions.place_confidence else 1.0 end as place_confidence,
        case when corrections.order_id is null then versions.place_method else 'manual' end as place_method,
        corrections.order_id is not null as is_place_corrected,
        corrections.corrected_at as place_corrected_at,
        versions.community_code as machine_community_code,
        versions.grid_code as machine_grid_code,
        versions.versions_landed,
        versions.file_received_at,
        versions.file_hash,
        versions.source_file,
        versions.source_row
    from versions
    left join corrections on versions.order_id = corrections.order_id
    where versions.version_rank = 1
)

select * from renamed
