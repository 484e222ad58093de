-- One row per document. The full texts stay in raw; staging keeps clean_text
-- (for later full-text work) but the marts carry only its length.
with source as (

    select * from {{ source('raw', 'documents') }}

),

renamed as (

    select
        document_id,
        content_hash,
        source_uri,
        nullif(trim(url), '') as url,
        nullif(trim(title), '') as title,
        cast(publish_date as date) as publish_date,
        case
            when publish_date is null then null
            else coalesce(publish_date_precision, 'day')
        end as publish_date_precision,
        nullif(trim(publisher), '') as publisher,
        nullif(trim(region), '') as region,
        content_format,
        detected_encoding,
        clean_text,
        length(clean_text) as clean_text_chars,
        extractor_version as text_extractor_version,
        run_id,
        loaded_at

    from source

)

select * from renamed
