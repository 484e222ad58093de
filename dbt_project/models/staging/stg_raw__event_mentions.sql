-- Event mentions of every extractor version. The date text becomes a DATE at
-- the first day of its period; the text and its precision are kept beside it.
-- A text that does not parse at its stated precision yields a null event_date,
-- which the not_null test on fct_events reports.
with source as (

    select * from {{ source('raw', 'event_mentions') }}

),

renamed as (

    select
        mention_id as event_id,
        document_id,
        extractor_version,
        trim(event_date) as event_date_text,
        date_precision,
        case date_precision
            when 'day' then try_strptime(trim(event_date), '%Y-%m-%d')
            when 'month' then try_strptime(trim(event_date) || '-01', '%Y-%m-%d')
            when 'year' then try_strptime(trim(event_date) || '-01-01', '%Y-%m-%d')
        end::date as event_date,
        event_type,
        name,
        nullif(trim(location), '') as location,
        evidence,
        evidence_start,
        evidence_end,
        extracted_at

    from source

)

select * from renamed
