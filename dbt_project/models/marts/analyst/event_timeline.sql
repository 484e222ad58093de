-- One row per event (fct_events' grain) ready for a timeline: its date and
-- month, where it happened in the region hierarchy (region, city, province),
-- the amounts it states, and the documents that report it. amount_yi_yuan is
-- the largest currency amount stated by any of its mentions, in 亿元 (a
-- signing's 总金额; the parts a report also lists are smaller); measures lists
-- the amounts of the mention that states the most.
-- For speed the mentions come from fct_event_mentions (built just before:
-- the rows of int_event_mentions__clustered, whose clustering self-join
-- would otherwise run again), and the ordered lists are built with list
-- functions (list_sort, list_distinct) rather than ordered string_agg, whose
-- per-group sort cost most of the model's time.
with mentions as (

    select * from {{ ref('fct_event_mentions') }}

),

measures as (

    select
        measures.*,
        units.unit_family,
        measures.value * coalesce(units.factor_to_canonical, 1) as value_canonical
    from {{ ref('int_event_measure_mentions__current') }} as measures
    left join {{ ref('stg_seeds__units') }} as units on measures.unit = units.unit

),

-- mention_order as in int_event_mentions__clustered (fct_event_mentions does
-- not carry it): more precise date, earlier publication, smaller mention id.
ranked_mentions as (

    select
        event_id,
        mention_id,
        measure_count,
        row_number() over (
            order by
                case date_precision when 'day' then 3 when 'month' then 2 else 1 end desc,
                document_publish_date nulls last,
                mention_id
        ) as mention_order
    from mentions

),

richest_mention as (

    select
        ranked_mentions.event_id,
        arg_max(ranked_mentions.mention_id, ranked_mentions.measure_count * 1000000 - ranked_mentions.mention_order)
            as mention_id
    from ranked_mentions
    group by ranked_mentions.event_id

),

measure_lists as (

    select
        richest_mention.event_id,
        -- string_agg(text, '; ' order by measure_index), nulls skipped
        array_to_string(list_transform(list_sort(
            list({
                'measure_index': measures.measure_index,
                'text': measures.measure || ' ' || cast(measures.value as varchar) || measures.unit
            }) filter (where measures.measure || ' ' || cast(measures.value as varchar) || measures.unit is not null)
        ), lambda entry: entry.text), '; ') as measures
    from richest_mention
    inner join measures on richest_mention.mention_id = measures.event_id
    group by richest_mention.event_id

),

amounts as (

    select mentions.event_id, max(measures.value_canonical) as amount_yi_yuan
    from mentions
    inner join measures on mentions.mention_id = measures.event_id
    where measures.unit_family = 'currency'
    group by mentions.event_id

),

reports as (

    select
        mentions.event_id,
        count(*) as mention_count,
        count(distinct mentions.document_id) as document_count,
        -- string_agg(distinct x, sep order by x), nulls skipped
        array_to_string(list_sort(list_distinct(
            list(mentions.document_id) filter (where mentions.document_id is not null)
        )), ', ') as document_ids,
        array_to_string(list_sort(list_distinct(
            list(coalesce(documents.title, mentions.document_id))
                filter (where coalesce(documents.title, mentions.document_id) is not null)
        )), ' | ') as document_titles,
        min(mentions.document_publish_date) as first_reported_on
    from mentions
    left join {{ ref('stg_raw__documents') }} as documents on mentions.document_id = documents.document_id
    group by mentions.event_id

)

select
    primary_mention.event_id,
    primary_mention.event_date,
    primary_mention.date_precision,
    cast(case primary_mention.date_precision
        when 'day' then primary_mention.event_date + interval 1 day
        when 'month' then primary_mention.event_date + interval 1 month
        else primary_mention.event_date + interval 1 year
    end as date) as event_period_end,
    cast(date_trunc('month', primary_mention.event_date) as date) as event_month,
    primary_mention.event_type,
    primary_mention.name,
    primary_mention.location,
    primary_mention.region_code,
    regions.region_name,
    regions.city_code,
    cities.region_name as city_name,
    regions.province_code,
    provinces.region_name as province_name,
    round(amounts.amount_yi_yuan, 4) as amount_yi_yuan,
    measure_lists.measures,
    cast(reports.mention_count as bigint) as mention_count,
    cast(reports.document_count as bigint) as document_count,
    reports.document_ids,
    reports.document_titles,
    reports.first_reported_on,
    primary_mention.evidence

from mentions as primary_mention
inner join reports on primary_mention.event_id = reports.event_id
left join amounts on primary_mention.event_id = amounts.event_id
left join measure_lists on primary_mention.event_id = measure_lists.event_id
left join {{ ref('stg_seeds__regions') }} as regions on primary_mention.region_code = regions.region_code
left join {{ ref('stg_seeds__regions') }} as cities on regions.city_code = cities.region_code
left join {{ ref('stg_seeds__regions') }} as provinces on regions.province_code = provinces.region_code
where primary_mention.mention_id = primary_mention.event_id
