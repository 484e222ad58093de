-- One row per target mention of the current extractor version; value and unit as written.
-- region and issuer fall back to the document's region and publisher when the
-- text of the target does not name its own. The document attributes are read
-- from staging, not dim_documents, so a failing test on the dimension does not
-- skip the facts in `dbt build`.
with targets as (

    select * from {{ ref('int_target_mentions__current') }}

),

documents as (

    select document_id, region, publisher from {{ ref('stg_raw__documents') }}

)

select
    targets.target_id,
    targets.document_id,
    targets.indicator,
    targets.value,
    targets.unit,
    targets.comparator,
    targets.target_year,
    targets.baseline_year,
    coalesce(targets.region, documents.region) as region,
    coalesce(targets.issuer, documents.publisher) as issuer,
    targets.evidence,
    targets.evidence_start,
    targets.evidence_end,
    targets.extractor_version,
    targets.extracted_at

from targets
left join documents on targets.document_id = documents.document_id
