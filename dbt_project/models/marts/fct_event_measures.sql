-- One row per amount an event states (签约项目53个, 总金额352.55亿元), of the
-- current extractor version; value and unit as written. event_measure_id is
-- the event's id and the measure's position joined by '-'.
select
    event_measure_id,
    event_id,
    document_id,
    measure_index,
    measure,
    value,
    unit,
    extractor_version

from {{ ref('int_event_measure_mentions__current') }}
