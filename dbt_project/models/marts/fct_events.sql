-- One row per event mention of the current extractor version. event_date is the
-- first day of its period for month/year precision; event_date_text keeps the text.
select
    event_id,
    document_id,
    event_date,
    date_precision,
    event_date_text,
    event_type,
    name,
    location,
    evidence,
    evidence_start,
    evidence_end,
    extractor_version,
    extracted_at

from {{ ref('int_event_mentions__current') }}
