-- Canonical indicators from the indicators seed.
select
    indicator_id,
    indicator_name,
    name_en,
    theme,
    unit_family,
    canonical_unit,
    value_kind,
    coalesce(comparable_across_levels, false) as comparable_across_levels
from {{ ref('indicators') }}
