-- Current event mentions grouped into events (GDELT's event/mention split):
-- two mentions report the same event when they have the same event_type, the
-- same region (the event's location resolved to a division, else the
-- document's region), the same date at the coarser of their two precisions
-- (2023-05 and 2023-05-16 agree; 2023 and 2023-05-16 agree) and similar names
-- (character-set Jaccard similarity of their name keys >= 0.5, or one key
-- contains the other, or the two state an equal amount). Each mention joins
-- the first similar mention in the order: more precise date, earlier
-- publication, earlier mention id; that first mention's id is the event_id
-- (so an event reported once keeps its mention's id). Mentions without a
-- region or a parseable date form events of their own.
with mentions as (

    select * from {{ ref('int_event_mentions__current') }}

),

documents as (

    select document_id, region, publish_date from {{ ref('stg_raw__documents') }}

),

regions as (

    select * from {{ ref('int_region_texts__resolved') }}

),

measure_keys as (

    select event_id, list(distinct cast(value as varchar) || unit) as amounts, count(*) as measure_count
    from {{ ref('int_event_measure_mentions__current') }}
    group by event_id

),

located as (

    select
        mentions.*,
        coalesce(location_region.region_code, document_region.region_code) as region_code,
        documents.publish_date as document_publish_date,
        {{ text_key('mentions.name') }} as name_key,
        case mentions.date_precision when 'day' then 3 when 'month' then 2 else 1 end as precision_rank,
        coalesce(measure_keys.amounts, []) as amounts,
        coalesce(measure_keys.measure_count, 0) as measure_count,
        row_number() over (
            order by
                case mentions.date_precision when 'day' then 3 when 'month' then 2 else 1 end desc,
                documents.publish_date nulls last,
                mentions.event_id
        ) as mention_order
    from mentions
    left join documents on mentions.document_id = documents.document_id
    left join regions as location_region on mentions.location = location_region.region_text
    left join regions as document_region on documents.region = document_region.region_text
    left join measure_keys on mentions.event_id = measure_keys.event_id

),

similar_pairs as (

    select
        mention.event_id as mention_id,
        earlier.event_id as earlier_id,
        earlier.mention_order as earlier_order
    from located as mention
    inner join located as earlier
        on mention.event_type = earlier.event_type
        and mention.region_code = earlier.region_code
        and year(mention.event_date) = year(earlier.event_date)
        and earlier.mention_order <= mention.mention_order
    where
        case least(mention.precision_rank, earlier.precision_rank)
            when 3 then mention.event_date = earlier.event_date
            when 2 then date_trunc('month', mention.event_date) = date_trunc('month', earlier.event_date)
            else true
        end
        and (
            mention.event_id = earlier.event_id
            or jaccard(mention.name_key, earlier.name_key) >= 0.5
            or contains(mention.name_key, earlier.name_key)
            or contains(earlier.name_key, mention.name_key)
            or len(list_intersect(mention.amounts, earlier.amounts)) > 0
        )

),

first_similar as (

    select mention_id, arg_min(earlier_id, earlier_order) as anchor_id
    from similar_pairs
    group by mention_id

),

-- A mention's anchor may itself have joined an earlier one: follow one more step.
anchored as (

    select
        located.*,
        coalesce(second_step.anchor_id, first_step.anchor_id, located.event_id) as cluster_id
    from located
    left join first_similar as first_step on located.event_id = first_step.mention_id
    left join first_similar as second_step on first_step.anchor_id = second_step.mention_id

)

select
    event_id as mention_id,
    cluster_id as event_id,
    document_id,
    event_date,
    date_precision,
    event_date_text,
    event_type,
    name,
    location,
    region_code,
    measure_count,
    evidence,
    evidence_start,
    evidence_end,
    extractor_version,
    extracted_at,
    document_publish_date,
    mention_order,
    event_id = cluster_id as is_primary
from anchored
