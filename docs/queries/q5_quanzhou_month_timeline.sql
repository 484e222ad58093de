-- Q5. What happened in Quanzhou in a given month? Events in 泉州市 or any of
-- its counties dated to that month (day or month precision), with amounts
-- signed and the documents behind each event. Change the month in `params`.
with params as (
    select date '2023-05-01' as month_start
)
select
    e.event_date,
    e.event_type,
    e.name,
    e.region_name,
    e.amount_yi_yuan,
    e.measures,
    e.mention_count,
    e.document_titles
from marts.event_timeline as e, params
where (e.city_code = '350500' or e.region_code = '350500')
    and e.date_precision in ('day', 'month')
    and e.event_month = params.month_start
order by e.event_date, e.event_type, e.name;
