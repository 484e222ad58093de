-- Q4. Which city or county targets are stricter or looser than the province's
-- for the same indicator and year? Only indicators comparable across levels
-- (ratios, shares, rates, per-capita figures): a city's absolute amount is
-- naturally smaller than its province's. Values are compared in their
-- family's canonical unit; a province value set in several documents, or
-- written in another unit (15万元 and 150000元), is compared once and shown as
-- written, with its own unit. `materialized`: the targets are read once, not
-- once for each side of the comparison.
with targets as materialized (
    select t.*, r.region_level, r.province_code, r.region_name, i.indicator_name
    from marts.fct_targets as t
    join marts.dim_regions as r using (region_code)
    join marts.dim_indicators as i using (indicator_id)
    where i.comparable_across_levels and t.target_year is not null
),

province as (
    select
        region_code, region_name, indicator_id, target_year, direction, canonical_unit, value_canonical,
        -- one written form of the value: the one in the first unit by name
        arg_min(value, unit) as value,
        min(unit) as unit
    from targets
    where region_level = 'province'
    group by region_code, region_name, indicator_id, target_year, direction, canonical_unit, value_canonical
)

select
    local.region_name,
    local.region_level,
    local.indicator_name,
    local.target_year,
    local.value as local_value,
    province.value as province_value,
    local.unit,
    province.unit as province_unit,
    province.region_name as province,
    case
        when local.value_canonical = province.value_canonical then 'same'
        when (local.value_canonical > province.value_canonical) = (local.direction = 'up') then 'stricter'
        else 'looser'
    end as compared_with_province
from targets as local
join province
    on province.region_code = local.province_code
    and province.indicator_id = local.indicator_id
    and province.target_year = local.target_year
    and province.direction = local.direction
    and province.canonical_unit = local.canonical_unit
where local.region_level in ('city', 'county')
order by local.indicator_name, local.target_year, local.region_name;
