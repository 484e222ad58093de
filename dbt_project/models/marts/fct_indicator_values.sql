-- One row per reported figure (an achieved value, not a target) of the current
-- extractor version; value and unit as written. period_start is the first day
-- of the period the figure describes; period_text keeps the text. region falls
-- back to the document's region (read from staging, as in fct_targets).
with indicator_values as (

    select * from {{ ref('int_indicator_value_mentions__current') }}

),

documents as (

    select document_id, region from {{ ref('stg_raw__documents') }}

)

select
    indicator_values.indicator_value_id,
    indicator_values.document_id,
    indicator_values.indicator,
    indicator_values.value,
    indicator_values.unit,
    indicator_values.period_start,
    indicator_values.period_text,
    indicator_values.period_precision,
    indicator_values.value_kind,
    coalesce(indicator_values.region, documents.region) as region,
    indicator_values.evidence,
    indicator_values.evidence_start,
    indicator_values.evidence_end,
    indicator_values.extractor_version,
    indicator_values.extracted_at

from indicator_values
left join documents on indicator_values.document_id = documents.document_id
