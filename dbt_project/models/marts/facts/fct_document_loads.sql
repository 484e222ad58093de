-- Every input every run saw, and what became of it (loaded | duplicate |
-- rejected, with the reason), with the title of the document it produced or
-- repeats. source_kind tells a folder file (file://) from a fetched page.
with log as (

    select * from {{ ref('stg_raw__ingest_log') }}

),

documents as (

    select document_id, title from {{ ref('stg_raw__documents') }}

)

select
    log.ingest_log_id,
    log.run_id,
    log.logged_at,
    log.source_uri,
    case when log.source_uri like 'file://%' then 'folder' else 'web' end as source_kind,
    log.outcome,
    log.reason,
    log.document_id,
    documents.title as document_title,
    log.byte_size,
    log.detected_encoding

from log
left join documents on log.document_id = documents.document_id
