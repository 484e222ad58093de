-- Target mentions of every extractor version (filtered to the current one in intermediate).
with source as (

    select * from {{ source('raw', 'target_mentions') }}

),

renamed as (

    select
        mention_id as target_id,
        document_id,
        extractor_version,
        indicator,
        cast(value as double) as value,
        unit,
        comparator,
        cast(target_year as integer) as target_year,
        cast(baseline_year as integer) as baseline_year,
        nullif(trim(region), '') as region,
        nullif(trim(issuer), '') as issuer,
        evidence,
        evidence_start,
        evidence_end,
        extracted_at

    from source

)

select * from renamed
