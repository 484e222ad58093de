-- How targets changed between documents: the same canonical indicator,
-- region, deadline year and direction set to different values by different
-- documents, one row per document in each such chain, oldest first
-- (revision_number 1 = the first document). A document that states the
-- chain's target more than once contributes its first statement. Chains in
-- which every document sets the same value are not revisions and are left out.
-- For speed the targets come from fct_targets (built just before: the rows of
-- int_targets__enriched, whose chain of views would otherwise be recomputed),
-- the publish date and title from one join with the documents, and the two
-- windows sort only the columns used (their cost grows with the row width);
-- a chain's length and hash are computed once per chain.
with targets as (

    select
        target_id,
        document_id,
        indicator,
        value,
        unit,
        comparator,
        target_year,
        issuer,
        evidence_start,
        region_code,
        indicator_id,
        value_canonical,
        canonical_unit,
        direction
    from {{ ref('fct_targets') }}
    where indicator_id is not null and region_code is not null and target_year is not null

),

per_document as (

    select * exclude (evidence_start) from targets
    qualify row_number() over (
        partition by indicator_id, region_code, target_year, direction, document_id
        order by evidence_start, target_id
    ) = 1

),

-- per_document has one row per document of a chain: count(document_id) is
-- the number of its documents, min <> max says it has more than one value.
chain_keys as (

    select
        indicator_id,
        region_code,
        target_year,
        direction,
        count(*) as chain_length
    from per_document
    group by all
    having count(document_id) > 1 and min(value_canonical) <> max(value_canonical)

),

chains as (

    select
        *,
        {{ short_key(['indicator_id', 'region_code', 'target_year', 'direction']) }} as revision_chain_id,
        -- a small integer that partitions the window below faster than the four keys
        row_number() over () as chain_number
    from chain_keys

),

ordered as (

    select
        per_document.*,
        chains.revision_chain_id,
        chains.chain_length,
        documents.publish_date as document_publish_date,
        documents.title as document_title,
        row_number() over chain_order as revision_number,
        lag(per_document.value_canonical) over chain_order as previous_value_canonical,
        lag(per_document.value) over chain_order as previous_value,
        lag(per_document.unit) over chain_order as previous_unit,
        lag(per_document.document_id) over chain_order as previous_document_id
    from per_document
    inner join chains using (indicator_id, region_code, target_year, direction)
    left join {{ ref('stg_raw__documents') }} as documents on per_document.document_id = documents.document_id
    window chain_order as (
        partition by chains.chain_number
        order by documents.publish_date nulls last, per_document.document_id
    )

)

select
    ordered.revision_chain_id,
    cast(ordered.revision_number as bigint) as revision_number,
    cast(ordered.chain_length as bigint) as chain_length,
    ordered.indicator_id,
    coalesce(indicators.indicator_name, ordered.indicator) as indicator_name,
    ordered.region_code,
    regions.region_name,
    ordered.target_year,
    ordered.target_id,
    ordered.document_id,
    ordered.document_title,
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
left join {{ ref('stg_seeds__regions') }} as regions on ordered.region_code = regions.region_code
left join {{ ref('stg_seeds__indicators') }} as indicators on ordered.indicator_id = indicators.indicator_id
