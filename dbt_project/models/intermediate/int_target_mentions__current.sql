-- Target mentions of each document's current extractor version only.
select targets.*
from {{ ref('stg_raw__target_mentions') }} as targets
inner join {{ ref('int_extractions__current_version') }} as current_version
    on targets.document_id = current_version.document_id
    and targets.extractor_version = current_version.extractor_version
