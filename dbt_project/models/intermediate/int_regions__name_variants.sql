-- Every name a region may be written under: its official name (泉州市), its
-- short name (泉州) and its English name (quanzhou, lower-cased), one row each.
-- match_rank orders the kinds: official name first.
with regions as (

    select * from {{ ref('stg_seeds__regions') }}

),

variants as (

    select region_code, region_name as variant, 1 as match_rank from regions
    union all
    select region_code, short_name, 2 from regions where short_name != region_name
    union all
    select region_code, lower(name_en), 3 from regions where name_en is not null

)

select
    variants.region_code,
    variants.variant,
    variants.match_rank,
    regions.level_rank,
    length(variants.variant) as variant_length
from variants
inner join regions on variants.region_code = regions.region_code
