-- China's administrative divisions (province -> city -> county) from the
-- regions seed, with the names of their province and city and every name
-- variant the warehouse resolves to them (泉州市, 泉州, quanzhou).
with regions as (

    select * from {{ ref('stg_seeds__regions') }}

),

variants as (

    select region_code, string_agg(variant, ' | ' order by match_rank) as name_variants
    from {{ ref('int_regions__name_variants') }}
    group by region_code

)

select
    regions.region_code,
    regions.region_name,
    regions.short_name,
    regions.name_en,
    regions.region_level,
    regions.parent_code,
    regions.province_code,
    provinces.region_name as province_name,
    regions.city_code,
    cities.region_name as city_name,
    concat_ws(' / ', provinces.region_name,
        case when regions.region_level != 'province' then cities.region_name end,
        case when regions.region_level = 'county' then regions.region_name end
    ) as region_path,
    regions.is_municipality,
    regions.longitude,
    regions.latitude,
    variants.name_variants

from regions
left join regions as provinces on regions.province_code = provinces.region_code
left join regions as cities on regions.city_code = cities.region_code
left join variants on regions.region_code = variants.region_code
