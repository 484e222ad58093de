-- Canonical indicators (the indicators seed, is_curated) and, for extracted
-- strings that map onto none, one indicator per distinct string key
-- (indicator_id 'x_…', theme 'other'), so every target and reported figure
-- has a row here. synonyms lists the names mapped onto each.
with curated as (

    select * from {{ ref('stg_seeds__indicators') }}

),

mapped as (

    select * from {{ ref('int_indicator_texts__mapped') }}

),

units as (

    select * from {{ ref('stg_seeds__units') }}

),

seen_names as (

    select indicator_id, string_agg(distinct indicator, ' | ' order by indicator) as extracted_names
    from mapped
    group by indicator_id

),

seed_synonyms as (

    select indicator_id, string_agg(synonym, ' | ' order by synonym_length desc, synonym) as synonyms
    from {{ ref('stg_seeds__indicator_synonyms') }}
    group by indicator_id

),

uncurated as (

    select
        mapped.indicator_id,
        min(mapped.indicator) as indicator_name,
        cast(null as varchar) as name_en,
        'other' as theme,
        min(coalesce(units.unit_family, 'unit:' || mapped.unit)) as unit_family,
        min(coalesce(units.canonical_unit, mapped.unit)) as canonical_unit,
        'level' as value_kind,
        false as comparable_across_levels,
        false as is_curated
    from mapped
    left join units on mapped.unit = units.unit
    where mapped.match_kind = 'unmapped'
    group by mapped.indicator_id

),

all_indicators as (

    select *, true as is_curated from curated
    union all by name
    select * from uncurated

)

select
    all_indicators.indicator_id,
    all_indicators.indicator_name,
    all_indicators.name_en,
    all_indicators.theme,
    all_indicators.unit_family,
    all_indicators.canonical_unit,
    all_indicators.value_kind,
    all_indicators.comparable_across_levels,
    all_indicators.is_curated,
    seed_synonyms.synonyms,
    seen_names.extracted_names

from all_indicators
left join seed_synonyms on all_indicators.indicator_id = seed_synonyms.indicator_id
left join seen_names on all_indicators.indicator_id = seen_names.indicator_id
