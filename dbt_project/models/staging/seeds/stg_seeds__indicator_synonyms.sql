-- Synonyms of the canonical indicators (the canonical name included), with a matching key.
with synonyms as (

    select indicator_id, synonym from {{ ref('indicator_synonyms') }}
    union
    select indicator_id, indicator_name as synonym from {{ ref('indicators') }}

)

select
    indicator_id,
    synonym,
    {{ text_key('synonym') }} as synonym_key,
    length({{ text_key('synonym') }}) as synonym_length
from synonyms
