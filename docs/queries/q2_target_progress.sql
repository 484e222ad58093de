-- Q2. For each target, the latest reported value of the same indicator in the
-- same region: achieved, on track, behind or unknown, and % of target.
select
    region_name,
    indicator_name,
    target_year,
    target_value,
    target_unit,
    set_on,
    latest_value,
    latest_period,
    pct_of_target,
    status
from marts.target_progress
order by (status = 'unknown'), region_name, indicator_name, target_year, set_on, target_value;
