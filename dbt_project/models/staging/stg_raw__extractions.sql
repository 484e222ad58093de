-- One row per (document, extractor version) that has been run, even when it found nothing.
with source as (

    select * from {{ source('raw', 'extractions') }}

),

renamed as (

    select
        document_id || '|' || extractor_version as extraction_id,
        document_id,
        extractor_version,
        target_count,
        event_count,
        extracted_at

    from source

)

select * from renamed
