{#- Marts with one set of rows per document are incremental: a run takes in
    only the documents whose current extraction is not in the model yet (new,
    re-extracted, or released from quarantine); `delete+insert` on document_id
    replaces their rows, and the post-hook drops the rows of documents that
    are no longer current (quarantined, or re-extracted into no rows). A
    changed project rebuilds them in full (ingest.pipeline.transform).

    every_document=false: the mention facts (fct_targets, fct_indicator_values),
    whose rows exist only for documents with a current extraction.
    every_document=true: models of every document in raw, extracted or not
    (dim_documents, int_organizations__mentions), keyed on the document's
    loaded_at as well: a document without an extraction carries a null
    extracted_at, and one quarantined and loaded again (its metadata fixed)
    may still have none. -#}

{#- The config every model incremental by document shares:
    {{ config(**incremental_by_document_config(every_document=...)) }} -#}
{% macro incremental_by_document_config(every_document=false) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'document_id',
        'on_schema_change': 'fail',
        'post_hook': '{{ delete_superseded_rows(every_document=' ~ (every_document | lower) ~ ') }}',
    }) }}
{%- endmacro %}

{#- Each document with its current extraction (document_id, extracted_at):
    every document of raw, with its loaded_at and a null extracted_at when it
    has no extraction (every_document=true), or only the extracted ones. -#}
{% macro current_documents(every_document=false) -%}
    {%- if every_document %}
    select documents.document_id, documents.loaded_at, current_version.extracted_at
    from {{ ref('stg_raw__documents') }} as documents
    left join {{ ref('int_extractions__current_version') }} as current_version
        on documents.document_id = current_version.document_id
    {%- else %}
    select current_version.document_id, current_version.extracted_at
    from {{ ref('int_extractions__current_version') }} as current_version
    {%- endif %}
{%- endmacro %}

{#- Whether a row built earlier (`built`) is of the document as it is now (`current_document`). -#}
{% macro built_from_current(every_document=false) -%}
    built.document_id = current_document.document_id
    {%- if every_document %}
    and built.loaded_at = current_document.loaded_at
    {%- endif %}
    and built.extracted_at is not distinct from current_document.extracted_at
{%- endmacro %}

{% macro documents_to_refresh(every_document=false) -%}
    select current_document.document_id
    from ({{ current_documents(every_document) }}) as current_document
    where not exists (
        select 1 from {{ this }} as built
        where {{ built_from_current(every_document) }}
    )
{%- endmacro %}

{% macro delete_superseded_rows(every_document=false) -%}
    {%- if is_incremental() %}
    delete from {{ this }} as built
    where not exists (
        select 1 from ({{ current_documents(every_document) }}) as current_document
        where {{ built_from_current(every_document) }}
    )
    {%- endif -%}
{%- endmacro %}

{#- fct_document_loads: rows whose ingest_log row is gone (raw.ingest_log is
    append-only, so only a hand-edited log makes any). -#}
{% macro delete_rows_not_in_log() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as built
    where not exists (
        select 1 from {{ ref('stg_raw__ingest_log') }} as log
        where log.ingest_log_id = built.ingest_log_id
    )
    {%- endif -%}
{%- endmacro %}
