-- Q3. How did a target change between plans? The same indicator, region and
-- year set to different values by different documents, oldest first.
select
    region_name,
    indicator_name,
    target_year,
    revision_number,
    set_on,
    indicator as written_as,
    value,
    unit,
    previous_value,
    change,
    change_pct
from marts.target_revisions
order by region_name, indicator_name, target_year, revision_number;
