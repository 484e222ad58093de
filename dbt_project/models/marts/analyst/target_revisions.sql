-- How targets changed between documents: the same canonical indicator,
-- region, deadline year and direction set to different values by different
-- documents, one row per document in each such chain, oldest first
-- (revision_number 1 = the first document). A document that states the
-- chain's target more than once contributes its first statement. Chains in
-- which every document sets the same value are not revisions and are left out.
with targets as (

    select * from {{ ref('int_targets__enriched') }}
    where indicator_id is not null and region_code is not null and target_year is not null

),

per_document as (

    select * from targets
    qualify row_number() over (
        partition by indicator_id, region_code, target_year, direction, document_id
        order by evidence_start, target_id
    ) = 1

),

chains as (

    select indicator_id, region_code, target_year, direction
    from per_document
    group by all
    having count(distinct document_id) > 1 and count(distinct round(value_canonical, 6)) > 1

),

ordered as (

    select
        per_document.*,
        row_number() over chain_order as revision_number,
        lag(per_document.value_canonical) over chain_order as previous_value_canonical,
        lag(per_document.value) over chain_order as previous_value,
        lag(per_document.unit) over chain_order as previous_unit,
        lag(per_document.document_id) over chain_order as previous_document_id,
        count(*) over (partition by per_document.indicator_id, per_document.region_code,
            per_document.target_year, per_document.direction) as chain_length
    from per_document
    inner join chains using (indicator_id, region_code, target_year, direction)
    window chain_order as (
        partition by per_document.indicator_id, per_document.region_code,
            per_document.target_year, per_document.direction
        order by per_document.document_publish_date nulls last, per_document.document_id
    )

)

select
    {{ short_key(['ordered.indicator_id', 'ordered.region_code', 'ordered.target_year', 'ordered.direction']) }}
        as revision_chain_id,
    cast(ordered.revision_number as bigint) as revision_number,
    cast(ordered.chain_length as bigint) as chain_length,
    ordered.indicator_id,
    coalesce(indicators.indicator_name, ordered.indicator) as indicator_name,
    ordered.region_code,
    regions.region_name,
    ordered.target_year,
    ordered.target_id,
    ordered.document_id,
    documents.title as document_title,
    ordered.document_publish_date as set_on,
    ordered.issuer,
    ordered.indicator,
    ordered.comparator,
    ordered.value,
    ordered.unit,
    ordered.value_canonical,
    ordered.canonical_unit,
    ordered.previous_value,
    ordered.previous_unit,
    ordered.previous_document_id,
    case
        when ordered.previous_value_canonical is null or ordered.previous_value_canonical = 0 then null
        else round(100.0 * (ordered.value_canonical - ordered.previous_value_canonical)
            / ordered.previous_value_canonical, 1)
    end as change_pct,
    case
        when ordered.previous_value_canonical is null then 'first'
        when ordered.value_canonical > ordered.previous_value_canonical then 'raised'
        when ordered.value_canonical < ordered.previous_value_canonical then 'lowered'
        else 'unchanged'
    end as change

from ordered
left join {{ ref('stg_raw__documents') }} as documents on ordered.document_id = documents.document_id
left join {{ ref('stg_seeds__regions') }} as regions on ordered.region_code = regions.region_code
left join {{ ref('stg_seeds__indicators') }} as indicators on ordered.indicator_id = indicators.indicator_id
