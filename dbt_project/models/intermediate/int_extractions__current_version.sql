-- Which extractor version is current for each document.
-- raw keeps the mentions of every extractor version. The current version of a
-- document is the one of its most recent extraction run in raw.extractions
-- (ties go to the greater version string). Because raw.extractions records
-- runs that found nothing, a new version with no mentions still retires the
-- old version's mentions. `--vars '{current_extractor_version: X}'` pins one
-- version instead (documents never extracted by X then have no facts).
with extractions as (

    select * from {{ ref('stg_raw__extractions') }}
    {% if var('current_extractor_version', none) is not none %}
    where extractor_version = '{{ var("current_extractor_version") }}'
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by document_id
            order by extracted_at desc, extractor_version desc
        ) as version_rank
    from extractions

)

select
    document_id,
    extractor_version,
    extracted_at,
    target_count,
    event_count
from ranked
where version_rank = 1
