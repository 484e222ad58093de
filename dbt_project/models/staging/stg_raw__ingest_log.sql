-- Every input every run read, with its outcome; raw has no key, so one is derived.
with source as (

    select * from {{ source('raw', 'ingest_log') }}

),

renamed as (

    select
        md5(concat_ws('|', run_id, source_uri, outcome, cast(logged_at as varchar)))
            as ingest_log_id,
        run_id,
        source_uri,
        outcome,
        reason,
        document_id,
        byte_size,
        detected_encoding,
        logged_at

    from source

)

select * from renamed
