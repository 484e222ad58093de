-- One row per target mention of the current extractor version; value and unit as written.
-- region and issuer fall back to the document's region and publisher when the
-- text of the target does not name its own. The rows come from
-- int_targets__enriched (staging, not dim_documents), so a failing test on the
-- dimension does not skip the facts in `dbt build`. The conformed keys
-- (region_code, indicator_id) and the value in its family's canonical unit are
-- added after the columns of the first release.
-- depends_on: {{ ref('int_extractions__current_version') }}
{{ config(**incremental_by_document_config()) }}
select
    target_id,
    document_id,
    indicator,
    value,
    unit,
    comparator,
    target_year,
    baseline_year,
    region,
    issuer,
    evidence,
    evidence_start,
    evidence_end,
    extractor_version,
    extracted_at,
    region_code,
    indicator_id,
    value_canonical,
    canonical_unit,
    direction

from {{ ref('int_targets__enriched') }}
{% if is_incremental() %}
where document_id in ({{ documents_to_refresh() }})
{% endif %}
