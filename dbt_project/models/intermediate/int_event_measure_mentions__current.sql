-- Event measures of each document's current extractor version only.
select measures.*
from {{ ref('stg_raw__event_measure_mentions') }} as measures
inner join {{ ref('int_extractions__current_version') }} as current_version
    on measures.document_id = current_version.document_id
    and measures.extractor_version = current_version.extractor_version
