-- One row per target mention of the current extractor version; value and unit as written.
select
    target_id,
    document_id,
    indicator,
    value,
    unit,
    comparator,
    target_year,
    baseline_year,
    evidence,
    evidence_start,
    evidence_end,
    extractor_version,
    extracted_at

from {{ ref('int_target_mentions__current') }}
