-- The amounts events state (签约项目53个, 总金额352.55亿元), of every extractor
-- version. raw keys them by (event mention, measure index); staging derives a
-- single key from the two.
with source as (

    select * from {{ source('raw', 'event_measure_mentions') }}

),

renamed as (

    select
        event_mention_id || '-' || cast(measure_index as varchar) as event_measure_id,
        event_mention_id as event_id,
        cast(measure_index as integer) as measure_index,
        document_id,
        extractor_version,
        name as measure,
        cast(value as double) as value,
        unit

    from source

)

select * from renamed
