-- Event mentions of each document's current extractor version only.
select events.*
from {{ ref('stg_raw__event_mentions') }} as events
inner join {{ ref('int_extractions__current_version') }} as current_version
    on events.document_id = current_version.document_id
    and events.extractor_version = current_version.extractor_version
