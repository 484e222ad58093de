-- One row per event mention of the current extractor version. event_date is the
-- first day of its period for month/year precision; event_date_text keeps the text.
-- measure_count is the number of the event's rows in fct_event_measures.
with events as (

    select * from {{ ref('int_event_mentions__current') }}

),

measure_counts as (

    select event_id, count(*) as measure_count
    from {{ ref('int_event_measure_mentions__current') }}
    group by event_id

)

select
    events.event_id,
    events.document_id,
    events.event_date,
    events.date_precision,
    events.event_date_text,
    events.event_type,
    events.name,
    events.location,
    cast(coalesce(measure_counts.measure_count, 0) as bigint) as measure_count,
    events.evidence,
    events.evidence_start,
    events.evidence_end,
    events.extractor_version,
    events.extracted_at

from events
left join measure_counts on events.event_id = measure_counts.event_id
