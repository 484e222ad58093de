-- Q1. Which targets fall due in 2025, by region and theme, and who set them?
-- One row per target; region and theme from the conformed dimensions.
select
    coalesce(r.region_name, t.region) as region,
    i.theme,
    coalesce(i.indicator_name, t.indicator) as indicator,
    t.comparator,
    t.value,
    t.unit,
    t.issuer as set_by,
    d.document_number,
    d.publish_date as set_on
from marts.fct_targets as t
join marts.dim_documents as d using (document_id)
left join marts.dim_regions as r on r.region_code = t.region_code
left join marts.dim_indicators as i on i.indicator_id = t.indicator_id
where t.target_year = 2025
order by r.region_code nulls last, i.theme, indicator, t.value;
