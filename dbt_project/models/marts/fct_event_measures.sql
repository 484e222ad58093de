-- One row per amount an event mention states (签约项目53个, 总金额352.55亿元), of the
-- current extractor version; value and unit as written. event_measure_id is
-- the mention's id and the measure's position joined by '-'. event_id is the
-- deduplicated event (fct_events) the mention reports; event_mention_id the
-- mention itself. A measure whose mention is missing keeps the mention id as
-- event_id, so the relationship test reports it. The mentions come from
-- fct_event_mentions, built just before, so the clustering view is not run again.
with measures as (

    select * from {{ ref('int_event_measure_mentions__current') }}

),

mentions as (

    select mention_id, event_id from {{ ref('fct_event_mentions') }}

)

select
    measures.event_measure_id,
    coalesce(mentions.event_id, measures.event_id) as event_id,
    measures.document_id,
    measures.measure_index,
    measures.measure,
    measures.value,
    measures.unit,
    measures.extractor_version,
    measures.event_id as event_mention_id

from measures
left join mentions on measures.event_id = mentions.mention_id
