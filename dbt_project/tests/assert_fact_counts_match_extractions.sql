-- Every document's rows in the facts match what its current extraction run
-- reported in raw.extractions; a mismatch means mentions were lost or duplicated.
{{ config(severity='warn') }}

select
    current_version.document_id,
    current_version.extractor_version,
    current_version.target_count as extracted_targets,
    documents.target_count as fct_targets,
    current_version.event_count as extracted_events,
    documents.event_count as fct_events
from {{ ref('int_extractions__current_version') }} as current_version
inner join {{ ref('dim_documents') }} as documents
    on current_version.document_id = documents.document_id
where current_version.target_count != documents.target_count
    or current_version.event_count != documents.event_count
