-- Administrative divisions from the regions seed; empty codes become nulls.
with source as (

    select * from {{ ref('regions') }}

),

renamed as (

    select
        region_code,
        region_name,
        short_name,
        nullif(trim(name_en), '') as name_en,
        region_level,
        nullif(trim(parent_code), '') as parent_code,
        province_code,
        nullif(trim(city_code), '') as city_code,
        coalesce(is_municipality, false) as is_municipality,
        longitude,
        latitude,
        case region_level when 'province' then 1 when 'city' then 2 else 3 end as level_rank

    from source

)

select * from renamed
