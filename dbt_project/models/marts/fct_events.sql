-- One row per EVENT, however many documents report it (GDELT's event/mention
-- split; the mentions are in fct_event_mentions). The event's attributes are
-- those of its primary mention, whose id is the event_id: the most precisely
-- dated, earliest published one (see int_event_mentions__clustered). The
-- columns of the first release keep their meaning for that mention
-- (document_id, evidence, measure_count); mention_count, document_count and
-- the first and last report dates follow.
-- The mentions come from fct_event_mentions, built just before, so the
-- marts run the clustering (int_event_mentions__clustered, a view) once.
with mentions as (

    select * from {{ ref('fct_event_mentions') }}

),

events as (

    select
        event_id,
        count(*) as mention_count,
        count(distinct document_id) as document_count,
        min(document_publish_date) as first_reported_on,
        max(document_publish_date) as last_reported_on
    from mentions
    group by event_id

)

select
    events.event_id,
    primary_mention.document_id,
    primary_mention.event_date,
    primary_mention.date_precision,
    primary_mention.event_date_text,
    primary_mention.event_type,
    primary_mention.name,
    primary_mention.location,
    cast(primary_mention.measure_count as bigint) as measure_count,
    primary_mention.evidence,
    primary_mention.evidence_start,
    primary_mention.evidence_end,
    primary_mention.extractor_version,
    primary_mention.extracted_at,
    primary_mention.region_code,
    cast(events.mention_count as bigint) as mention_count,
    cast(events.document_count as bigint) as document_count,
    events.first_reported_on,
    events.last_reported_on

from events
inner join mentions as primary_mention on events.event_id = primary_mention.mention_id
