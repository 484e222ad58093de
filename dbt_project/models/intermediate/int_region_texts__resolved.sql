-- Region names as written in documents and mentions (泉州, 泉州市, Quanzhou,
-- 泉州高新区, 泉州人民会堂), each resolved to one division code.
-- An exact name wins (official, then short, then English; a higher level
-- before a lower one: 朝阳 the city before 朝阳区); otherwise the longest
-- division name the text contains (ties to the lower level: 福建省泉州市 ->
-- 泉州市). Names shared by several divisions of the same level (鼓楼区) go to
-- the smallest code and are flagged ambiguous.
-- A table, not a view: nearly every mart joins it, and as a view each of them
-- would resolve every region text again.
{{ config(materialized='table') }}

with texts as (

    select region as region_text from {{ ref('stg_raw__documents') }}
    union
    select region from {{ ref('int_target_mentions__current') }}
    union
    select region from {{ ref('int_indicator_value_mentions__current') }}
    union
    select location from {{ ref('int_event_mentions__current') }}

),

cleaned as (

    select distinct region_text, lower(trim(region_text)) as text_key
    from texts
    where nullif(trim(region_text), '') is not null

),

variants as (

    select * from {{ ref('int_regions__name_variants') }}

),

exact_matches as (

    select
        cleaned.region_text,
        variants.region_code,
        'exact' as match_kind,
        row_number() over (
            partition by cleaned.region_text
            order by variants.match_rank, variants.level_rank, variants.region_code
        ) as candidate_rank,
        count(*) over (
            partition by cleaned.region_text, variants.match_rank, variants.level_rank
        ) as same_rank_candidates,
        variants.match_rank,
        variants.level_rank
    from cleaned
    inner join variants on cleaned.text_key = variants.variant

),

contained_matches as (

    select
        cleaned.region_text,
        variants.region_code,
        'contains' as match_kind,
        row_number() over (
            partition by cleaned.region_text
            order by variants.variant_length desc, variants.level_rank desc,
                variants.match_rank, variants.region_code
        ) as candidate_rank,
        count(*) over (
            partition by cleaned.region_text, variants.variant_length, variants.level_rank
        ) as same_rank_candidates,
        variants.match_rank,
        variants.level_rank
    from cleaned
    inner join variants
        on variants.variant_length >= 2
        and contains(cleaned.text_key, variants.variant)
    where cleaned.region_text not in (select region_text from exact_matches)

),

best as (

    select * from exact_matches where candidate_rank = 1
    union all
    select * from contained_matches where candidate_rank = 1

)

select
    region_text,
    region_code,
    match_kind,
    same_rank_candidates > 1 as is_ambiguous
from best
