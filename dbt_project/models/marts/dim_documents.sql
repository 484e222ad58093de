-- One row per document in raw, with counts of its current targets, event
-- mentions and reported figures, and the attributes analysts filter by
-- (document number 发文字号, kind, issuing body, region code; see
-- int_documents__enriched for how they are derived).
-- Counts come from the intermediate models, not the facts, so a failing test
-- on a fact does not skip the dimension in `dbt build`.
-- Incremental by document (macros/incremental_by_document.sql): a run takes in
-- the documents that are new or re-extracted since the last build; a
-- document's row depends only on the document and its current extraction.
{{ config(**incremental_by_document_config(every_document=true)) }}
with documents as (

    select * from {{ ref('stg_raw__documents') }}
    {% if is_incremental() %}
    where document_id in ({{ documents_to_refresh(every_document=true) }})
    {% endif %}

),

-- Each part below is filtered to the documents above: DuckDB does not push the
-- filter through the joins into the views' aggregations.
current_version as (

    select * from {{ ref('int_extractions__current_version') }}
    where document_id in (select document_id from documents)

),

target_counts as (

    select document_id, count(*) as target_count
    from {{ ref('int_target_mentions__current') }}
    where document_id in (select document_id from documents)
    group by document_id

),

event_counts as (

    select document_id, count(*) as event_count
    from {{ ref('int_event_mentions__current') }}
    where document_id in (select document_id from documents)
    group by document_id

),

enriched as (

    select * from {{ ref('int_documents__enriched') }}
    where document_id in (select document_id from documents)

),

indicator_value_counts as (

    select document_id, count(*) as indicator_value_count
    from {{ ref('int_indicator_value_mentions__current') }}
    where document_id in (select document_id from documents)
    group by document_id

)

select
    documents.document_id,
    documents.content_hash,
    documents.source_uri,
    documents.url,
    documents.title,
    documents.publish_date,
    documents.publish_date_precision,
    documents.region,
    documents.publisher,
    documents.content_format,
    documents.detected_encoding,
    documents.clean_text_chars,
    documents.text_extractor_version,
    current_version.extractor_version as mention_extractor_version,
    cast(coalesce(target_counts.target_count, 0) as bigint) as target_count,
    cast(coalesce(event_counts.event_count, 0) as bigint) as event_count,
    cast(coalesce(indicator_value_counts.indicator_value_count, 0) as bigint)
        as indicator_value_count,
    documents.run_id,
    documents.loaded_at,
    enriched.document_number,
    enriched.document_kind,
    enriched.issuing_body,
    enriched.region_code,
    current_version.extracted_at

from documents
left join current_version on documents.document_id = current_version.document_id
left join target_counts on documents.document_id = target_counts.document_id
left join event_counts on documents.document_id = event_counts.document_id
left join enriched on documents.document_id = enriched.document_id
left join indicator_value_counts
    on documents.document_id = indicator_value_counts.document_id
