-- One row per reported figure (an achieved value, not a target) of the current
-- extractor version; value and unit as written. period_start is the first day
-- of the period the figure describes; period_text keeps the text. region falls
-- back to the document's region (read from staging through
-- int_indicator_values__enriched, as in fct_targets). The conformed keys and
-- the canonical value follow the columns of the first release.
-- depends_on: {{ ref('int_extractions__current_version') }}
{{ config(**incremental_by_document_config()) }}
select
    indicator_value_id,
    document_id,
    indicator,
    value,
    unit,
    period_start,
    period_text,
    period_precision,
    value_kind,
    region,
    evidence,
    evidence_start,
    evidence_end,
    extractor_version,
    extracted_at,
    region_code,
    indicator_id,
    value_canonical,
    canonical_unit

from {{ ref('int_indicator_values__enriched') }}
{% if is_incremental() %}
where document_id in ({{ documents_to_refresh() }})
{% endif %}
