-- One row per event mention of the current extractor version, with the event
-- it reports (event_id -> fct_events). is_primary marks the mention whose
-- attributes the event carries.
select
    mention_id,
    event_id,
    document_id,
    event_date,
    date_precision,
    event_date_text,
    event_type,
    name,
    location,
    region_code,
    cast(measure_count as bigint) as measure_count,
    document_publish_date,
    is_primary,
    evidence,
    evidence_start,
    evidence_end,
    extractor_version,
    extracted_at

from {{ ref('int_event_mentions__clustered') }}
