{#- Marts with one set of rows per document (fct_targets, fct_indicator_values)
    are incremental: a run takes in only the documents whose current extraction
    is not in the mart yet (new, re-extracted, or released from quarantine);
    `delete+insert` on document_id replaces their rows, and the post-hook
    drops the rows of documents that are no longer current (quarantined, or
    re-extracted into no rows). A changed project rebuilds them in full
    (ingest.pipeline.transform). -#}

{% macro documents_to_refresh() -%}
    select current_version.document_id
    from {{ ref('int_extractions__current_version') }} as current_version
    where not exists (
        select 1 from {{ this }} as built
        where built.document_id = current_version.document_id
            and built.extracted_at = current_version.extracted_at
    )
{%- endmacro %}

{% macro delete_superseded_rows() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as built
    where not exists (
        select 1 from {{ ref('int_extractions__current_version') }} as current_version
        where current_version.document_id = built.document_id
            and current_version.extracted_at = built.extracted_at
    )
    {%- endif -%}
{%- endmacro %}
