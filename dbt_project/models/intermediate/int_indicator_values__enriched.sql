-- Current reported figures with their region (the text's own, else the
-- document's), conformed keys (region_code, indicator_id) and the value in the
-- unit family's canonical unit.
with indicator_values as (

    select * from {{ ref('int_indicator_value_mentions__current') }}

),

documents as (

    select document_id, region, publish_date from {{ ref('stg_raw__documents') }}

),

with_fallbacks as (

    select
        indicator_values.*,
        coalesce(indicator_values.region, documents.region) as value_region,
        documents.publish_date as document_publish_date
    from indicator_values
    left join documents on indicator_values.document_id = documents.document_id

)

select
    with_fallbacks.indicator_value_id,
    with_fallbacks.document_id,
    with_fallbacks.indicator,
    with_fallbacks.value,
    with_fallbacks.unit,
    with_fallbacks.period_start,
    with_fallbacks.period_text,
    with_fallbacks.period_precision,
    with_fallbacks.value_kind,
    with_fallbacks.value_region as region,
    with_fallbacks.evidence,
    with_fallbacks.evidence_start,
    with_fallbacks.evidence_end,
    with_fallbacks.extractor_version,
    with_fallbacks.extracted_at,
    with_fallbacks.document_publish_date,
    regions.region_code,
    indicators.indicator_id,
    coalesce(units.unit_family, 'unit:' || with_fallbacks.unit) as unit_family,
    {{ to_canonical('with_fallbacks.value', 'units.factor_to_canonical') }} as value_canonical,
    coalesce(units.canonical_unit, with_fallbacks.unit) as canonical_unit
from with_fallbacks
left join {{ ref('int_region_texts__resolved') }} as regions
    on with_fallbacks.value_region = regions.region_text
left join {{ ref('int_indicator_texts__mapped') }} as indicators
    on with_fallbacks.indicator = indicators.indicator
    and with_fallbacks.unit = indicators.unit
left join {{ ref('stg_seeds__units') }} as units on with_fallbacks.unit = units.unit
