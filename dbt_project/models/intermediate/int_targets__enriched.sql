-- Current target mentions with their region and issuer (the text's own, else
-- the document's region and publisher), conformed keys (region_code,
-- indicator_id) and the value in the unit family's canonical unit, so that
-- 300亿元 and 3000000万元 compare equal. direction is 'up' for a target to reach
-- or exceed (= > >= ~ range) and 'down' for a ceiling (< <=).
with targets as (

    select * from {{ ref('int_target_mentions__current') }}

),

documents as (

    select document_id, region, publisher, publish_date from {{ ref('stg_raw__documents') }}

),

with_fallbacks as (

    select
        targets.*,
        coalesce(targets.region, documents.region) as target_region,
        coalesce(targets.issuer, documents.publisher) as target_issuer,
        documents.publish_date as document_publish_date
    from targets
    left join documents on targets.document_id = documents.document_id

)

select
    with_fallbacks.target_id,
    with_fallbacks.document_id,
    with_fallbacks.indicator,
    with_fallbacks.value,
    with_fallbacks.unit,
    with_fallbacks.comparator,
    with_fallbacks.target_year,
    with_fallbacks.baseline_year,
    with_fallbacks.target_region as region,
    with_fallbacks.target_issuer as issuer,
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
    coalesce(units.canonical_unit, with_fallbacks.unit) as canonical_unit,
    case when with_fallbacks.comparator in ('<', '<=') then 'down' else 'up' end as direction
from with_fallbacks
left join {{ ref('int_region_texts__resolved') }} as regions
    on with_fallbacks.target_region = regions.region_text
left join {{ ref('int_indicator_texts__mapped') }} as indicators
    on with_fallbacks.indicator = indicators.indicator
    and with_fallbacks.unit = indicators.unit
left join {{ ref('stg_seeds__units') }} as units on with_fallbacks.unit = units.unit
