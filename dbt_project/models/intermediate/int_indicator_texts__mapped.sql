-- Indicator strings as extracted (with their unit), each mapped to a canonical
-- indicator: an exact synonym first (全社会研发投入 -> rd_expenditure), else the
-- longest synonym the string contains whose indicator is measured in the
-- unit's family (高新技术企业数量 -> high_tech_enterprises; 规模以上制造业增加值年均增长
-- in % does not map to the 亿元 indicator it contains). A string that maps to
-- nothing gets an indicator of its own (indicator_id 'x_' + hash of its key),
-- so every fact row has an indicator and equal strings still group together.
-- A table, not a view: the target and indicator-value facts and dim_indicators
-- all join it, and as a view each would map every indicator string again.
{{ config(materialized='table') }}

with texts as (

    select distinct indicator, unit from {{ ref('int_target_mentions__current') }}
    union
    select distinct indicator, unit from {{ ref('int_indicator_value_mentions__current') }}

),

keyed as (

    select
        texts.indicator,
        texts.unit,
        {{ text_key('texts.indicator') }} as indicator_key,
        coalesce(units.unit_family, 'unit:' || texts.unit) as unit_family
    from texts
    left join {{ ref('stg_seeds__units') }} as units on texts.unit = units.unit

),

synonyms as (

    select synonyms.*, indicators.unit_family as indicator_unit_family
    from {{ ref('stg_seeds__indicator_synonyms') }} as synonyms
    inner join {{ ref('stg_seeds__indicators') }} as indicators
        on synonyms.indicator_id = indicators.indicator_id

),

candidates as (

    select
        keyed.indicator,
        keyed.unit,
        synonyms.indicator_id,
        case when keyed.indicator_key = synonyms.synonym_key then 'exact' else 'contains' end
            as match_kind,
        row_number() over (
            partition by keyed.indicator, keyed.unit
            order by (keyed.indicator_key = synonyms.synonym_key) desc,
                synonyms.synonym_length desc, synonyms.indicator_id
        ) as candidate_rank
    from keyed
    inner join synonyms
        on keyed.indicator_key = synonyms.synonym_key
        or (
            contains(keyed.indicator_key, synonyms.synonym_key)
            and keyed.unit_family = synonyms.indicator_unit_family
        )

)

select
    keyed.indicator,
    keyed.unit,
    keyed.indicator_key,
    coalesce(candidates.indicator_id, 'x_' || left(md5(keyed.indicator_key), 12)) as indicator_id,
    coalesce(candidates.match_kind, 'unmapped') as match_kind
from keyed
left join candidates
    on keyed.indicator = candidates.indicator
    and keyed.unit = candidates.unit
    and candidates.candidate_rank = 1
