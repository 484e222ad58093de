-- Reported figures of every extractor version (filtered to the current one in
-- intermediate). The period text becomes a DATE at the first day of its period;
-- the text and its precision are kept beside it. A text that does not parse at
-- its stated precision yields a null period_start, which the not_null test on
-- fct_indicator_values reports.
with source as (

    select * from {{ source('raw', 'indicator_value_mentions') }}

),

renamed as (

    select
        mention_id as indicator_value_id,
        document_id,
        extractor_version,
        indicator,
        cast(value as double) as value,
        unit,
        trim(period) as period_text,
        period_precision,
        case period_precision
            when 'day' then try_strptime(trim(period), '%Y-%m-%d')
            when 'month' then try_strptime(trim(period) || '-01', '%Y-%m-%d')
            when 'year' then try_strptime(trim(period) || '-01-01', '%Y-%m-%d')
        end::date as period_start,
        value_kind,
        nullif(trim(region), '') as region,
        evidence,
        evidence_start,
        evidence_end,
        extracted_at

    from source

)

select * from renamed
