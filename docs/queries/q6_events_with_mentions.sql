-- Q6. One event reported by several articles counts once, with its mentions
-- listed (GDELT's event/mention split): events with more than one mention.
select
    e.event_id,
    e.event_date,
    e.event_type,
    e.name as event_name,
    e.mention_count,
    m.mention_id,
    m.name as mention_name,
    d.title as reported_in,
    d.publish_date as reported_on
from marts.fct_events as e
join marts.fct_event_mentions as m using (event_id)
join marts.dim_documents as d on d.document_id = m.document_id
where e.mention_count > 1
order by e.event_date, e.event_id, d.publish_date, m.mention_id;
