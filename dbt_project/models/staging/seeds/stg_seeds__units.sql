-- Units, their family and the factor to the family's canonical unit.
select
    unit,
    unit_family,
    cast(factor_to_canonical as double) as factor_to_canonical,
    canonical_unit
from {{ ref('units') }}
