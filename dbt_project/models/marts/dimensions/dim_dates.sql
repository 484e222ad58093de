-- One row per day from 1990-01-01 to 2050-12-31: the calendar attributes
-- analysts group by, and the five-year plan (五年规划) the day falls in
-- (the 1st ran 1953-1957; 十四五 = the 14th, 2021-2025).
with days as (

    select cast(day as date) as date_day
    from range(date '1990-01-01', date '2051-01-01', interval 1 day) as t(day)

),

attributes as (

    select
        date_day,
        cast(year(date_day) as integer) as year,
        cast(quarter(date_day) as integer) as quarter,
        cast(month(date_day) as integer) as month,
        cast(day(date_day) as integer) as day_of_month,
        cast(isodow(date_day) as integer) as iso_day_of_week,
        strftime(date_day, '%Y-%m') as year_month,
        cast(date_trunc('month', date_day) as date) as month_start,
        cast(date_trunc('quarter', date_day) as date) as quarter_start,
        cast(date_trunc('year', date_day) as date) as year_start,
        cast((year(date_day) - 1953) // 5 + 1 as integer) as five_year_plan_number
    from days

)

select
    *,
    case five_year_plan_number
        when 8 then '八五' when 9 then '九五' when 10 then '十五'
        when 11 then '十一五' when 12 then '十二五' when 13 then '十三五'
        when 14 then '十四五' when 15 then '十五五' when 16 then '十六五'
        when 17 then '十七五' when 18 then '十八五' when 19 then '十九五'
    end as five_year_plan
from attributes
