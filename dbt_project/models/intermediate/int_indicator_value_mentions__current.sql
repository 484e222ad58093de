-- Reported figures of each document's current extractor version only.
select indicator_values.*
from {{ ref('stg_raw__indicator_value_mentions') }} as indicator_values
inner join {{ ref('int_extractions__current_version') }} as current_version
    on indicator_values.document_id = current_version.document_id
    and indicator_values.extractor_version = current_version.extractor_version
