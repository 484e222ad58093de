-- Every input every run read, and what became of it (loaded | duplicate |
-- rejected, with the reason), with the title of the document it produced or
-- repeats. source_kind tells a folder file (file://) from a fetched page.
-- Incremental: the log only grows (each run adds a row per input read), so a run
-- takes in its new rows, and the old rows whose document's title changed (a
-- document quarantined, or released back into raw).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='ingest_log_id',
        on_schema_change='fail',
        post_hook="{{ delete_rows_not_in_log() }}"
    )
}}
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
{% if is_incremental() %}
where not exists (
    select 1 from {{ this }} as built
    where built.ingest_log_id = log.ingest_log_id
        and built.document_title is not distinct from documents.title
)
{% endif %}
