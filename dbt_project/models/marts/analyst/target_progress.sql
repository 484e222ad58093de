-- For each target: the latest reported figure of the same canonical indicator
-- in the same region (same unit family, and the kind of figure the indicator
-- is measured by: a level, or a growth rate for growth indicators), the
-- percentage of the target it reaches, and a status:
--   achieved  the latest figure meets the target (>= for up, <= for down);
--   behind    the deadline year has been reported on and the target is not
--             met, or the figure lies below the straight line from the
--             baseline to the target at the figure's year;
--   on_track  the figure lies on or above that line (below it for 'down');
--   unknown   no figure; or none reported since the target was set (the
--             latest period is before the year of the target's document);
--             or no baseline to draw the line from.
-- The baseline is the figure of the target's baseline_year when stated, else
-- the latest figure of a year before the target's document was published.
-- Both are found on the figures reduced to one per indicator, region and unit
-- family (per year, for baselines) rather than on every target's candidate
-- figures, which multiply into millions of rows.
-- Values are compared in the unit family's canonical unit.
-- For speed the targets and figures come from fct_targets and
-- fct_indicator_values (built just before: the rows of the enriched
-- intermediate views, whose chains of views would otherwise be recomputed),
-- with the publish date and unit family those views add joined back.
with documents as (

    select document_id, title, publish_date from {{ ref('stg_raw__documents') }}

),

units as (

    select unit, unit_family from {{ ref('stg_seeds__units') }}

),

targets as (

    select
        targets.*,
        documents.publish_date as document_publish_date,
        coalesce(units.unit_family, 'unit:' || targets.unit) as unit_family
    from {{ ref('fct_targets') }} as targets
    left join documents on targets.document_id = documents.document_id
    left join units on targets.unit = units.unit

),

reported as (

    select
        reported.*,
        documents.publish_date as document_publish_date,
        coalesce(units.unit_family, 'unit:' || reported.unit) as unit_family
    from {{ ref('fct_indicator_values') }} as reported
    left join documents on reported.document_id = documents.document_id
    left join units on reported.unit = units.unit

),

figures as (

    select
        figures.*,
        cast(year(figures.period_start) as integer) as period_year
    from reported as figures
    inner join {{ ref('stg_seeds__indicators') }} as indicators
        on figures.indicator_id = indicators.indicator_id
        and figures.value_kind = indicators.value_kind
    where figures.region_code is not null

    union all by name

    -- strings mapped onto no curated indicator: their levels compare as such
    select *, cast(year(period_start) as integer) as period_year
    from reported
    where region_code is not null and value_kind = 'level' and indicator_id like 'x\_%' escape '\'

),

latest as (

    -- the latest figure depends only on the key, not on the target
    select
        indicator_id,
        region_code,
        unit_family,
        indicator_value_id,
        value_canonical,
        value,
        unit,
        period_text,
        period_year,
        document_id
    from figures
    qualify row_number() over (
        partition by indicator_id, region_code, unit_family
        order by period_start desc, document_publish_date desc nulls last, indicator_value_id
    ) = 1

),

yearly as (

    -- the latest figure of each key and year: a baseline is one of these
    select indicator_id, region_code, unit_family, period_year, value_canonical
    from figures
    where period_year is not null
    qualify row_number() over (
        partition by indicator_id, region_code, unit_family, period_year
        order by period_start desc, document_publish_date desc nulls last, indicator_value_id
    ) = 1

),

baselines as (

    -- stated baseline year: that year's figure
    select targets.target_id, yearly.value_canonical, yearly.period_year
    from targets
    inner join yearly
        on targets.indicator_id = yearly.indicator_id
        and targets.region_code = yearly.region_code
        and targets.unit_family = yearly.unit_family
        and targets.baseline_year = yearly.period_year

    union all

    -- else the figure of the latest year before the target's document was published
    select targets.target_id, yearly.value_canonical, yearly.period_year
    from targets
    asof inner join yearly
        on targets.indicator_id = yearly.indicator_id
        and targets.region_code = yearly.region_code
        and targets.unit_family = yearly.unit_family
        and year(targets.document_publish_date) > yearly.period_year
    where targets.baseline_year is null

),

measured as (

    select
        targets.*,
        latest.indicator_value_id as latest_indicator_value_id,
        latest.document_id as latest_document_id,
        latest.value as latest_value,
        latest.unit as latest_unit,
        latest.value_canonical as latest_value_canonical,
        latest.period_text as latest_period,
        latest.period_year as latest_period_year,
        baselines.value_canonical as baseline_value_canonical,
        baselines.period_year as baseline_period_year,
        case
            when latest.value_canonical is null or targets.value_canonical = 0 then null
            else round(100.0 * latest.value_canonical / targets.value_canonical, 1)
        end as pct_of_target,
        case
            when baselines.value_canonical is not null
                and latest.period_year > baselines.period_year
                and targets.target_year > baselines.period_year
            then baselines.value_canonical
                + (targets.value_canonical - baselines.value_canonical)
                * least(1.0, (latest.period_year - baselines.period_year)
                    / (targets.target_year - baselines.period_year))
        end as expected_value_canonical
    from targets
    left join latest
        on targets.indicator_id = latest.indicator_id
        and targets.region_code = latest.region_code
        and targets.unit_family = latest.unit_family
    left join baselines on targets.target_id = baselines.target_id

),

judged as (

    -- One ladder decides both the status and the reason given for it.
    select
        *,
        case
            when latest_value_canonical is null
                then {'status': 'unknown', 'reason': 'no reported figure of this indicator for this region'}
            when direction = 'up' and latest_value_canonical >= value_canonical
                then {'status': 'achieved', 'reason': 'the latest figure meets the target'}
            when direction = 'down' and latest_value_canonical <= value_canonical
                then {'status': 'achieved', 'reason': 'the latest figure meets the target'}
            when target_year is not null and latest_period_year >= target_year
                then {'status': 'behind', 'reason': 'the deadline year is reported and the target is not met'}
            when latest_period_year < year(document_publish_date)
                then {'status': 'unknown', 'reason': 'no figure reported since the target was set'}
            when expected_value_canonical is null
                then {'status': 'unknown', 'reason': 'no baseline figure to measure the pace against'}
            when direction = 'up' and latest_value_canonical >= expected_value_canonical
                then {'status': 'on_track', 'reason': 'at or above the straight line from the baseline to the target'}
            when direction = 'down' and latest_value_canonical <= expected_value_canonical
                then {'status': 'on_track', 'reason': 'at or below the straight line from the baseline to the target'}
            else {'status': 'behind', 'reason': 'below the straight line from the baseline to the target'}
        end as judgement
    from measured

)

select
    judged.target_id,
    judged.document_id,
    documents.title as document_title,
    judged.document_publish_date as set_on,
    judged.indicator_id,
    coalesce(indicators.indicator_name, judged.indicator) as indicator_name,
    judged.indicator,
    judged.region_code,
    regions.region_name,
    judged.target_year,
    judged.comparator,
    judged.value as target_value,
    judged.unit as target_unit,
    judged.latest_value,
    judged.latest_unit,
    judged.latest_period,
    judged.latest_indicator_value_id,
    judged.latest_document_id,
    judged.baseline_period_year,
    round(judged.baseline_value_canonical, 8) as baseline_value_canonical,
    round(judged.expected_value_canonical, 8) as expected_value_canonical,
    judged.canonical_unit,
    judged.pct_of_target,
    judged.judgement.status as status,
    judged.judgement.reason as status_reason

from judged
left join documents on judged.document_id = documents.document_id
left join {{ ref('stg_seeds__regions') }} as regions on judged.region_code = regions.region_code
left join (
    select indicator_id, indicator_name from {{ ref('stg_seeds__indicators') }}
) as indicators on judged.indicator_id = indicators.indicator_id
