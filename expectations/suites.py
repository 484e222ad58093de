"""Great Expectations suites for the raw layer and the marts.

Each suite validates one DataFrame read from the build DuckDB file by a SQL
query (GX's SQL datasource does not work on DuckDB through duckdb-engine, so
the query does the reading and any join, GX does the checking). Every
expectation carries ``meta={"severity": "critical" | "warning"}``: a failed
critical expectation blocks the publish, a failed warning is only reported.

Suites are built per run because some bounds depend on today's date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

CRITICAL = "critical"
WARNING = "warning"
SEVERITIES = (CRITICAL, WARNING)

# Accepted sets; dbt_project/models/marts/_marts__models.yml lists the same
# values (tests/test_expectations.py keeps the two in step).
COMPARATORS = ("=", ">", ">=", "<", "<=", "~", "range")
DATE_PRECISIONS = ("day", "month", "year")
PUBLISH_DATE_PRECISIONS = ("day", "month")
EVENT_TYPES = (
    "meeting", "conference", "visit", "policy_release", "policy_effective",
    "launch", "selection", "signing", "fund_launch", "other",
)  # fmt: skip
PERIOD_PRECISIONS = ("year", "month", "day")  # of a reported figure's period
# A reported figure is an amount (level) or a growth rate / difference (change, may be negative).
VALUE_KINDS = ("level", "change")
INGEST_OUTCOMES = ("loaded", "duplicate", "rejected")
CONTENT_FORMATS = ("html", "markdown", "text")

EARLIEST_DATE = date(1949, 1, 1)  # no document of the PRC's policy corpus is older
LATEST_TARGET_YEAR = 2100
# Publication dates are Chinese local dates (UTC+8); a host clock behind that
# must not flag a document published "today" in China as future.
PUBLISH_DATE_SLACK = timedelta(days=1)
# Events may be announced ahead (a rule takes effect next year), but not decades.
EVENT_HORIZON = timedelta(days=366 * 10)
MIN_CLEAN_TEXT_CHARS = 50  # shorter main text is probably a failed extraction


@dataclass(frozen=True)
class TableSuite:
    """One suite: which table it checks, how to read it, and its expectations."""

    name: str  # suite name, e.g. "marts.fct_targets"
    table: str  # the warehouse table, e.g. "marts.fct_targets"
    query: str  # reads the DataFrame that GX validates
    id_columns: tuple[str, ...]  # identify a failing row in reports
    expectations: Callable[[date], list[gx.expectations.Expectation]]


def _x(
    cls: type, severity: str, description: str, **kwargs
) -> gx.expectations.Expectation:
    assert severity in SEVERITIES
    return cls(meta={"severity": severity}, description=description, **kwargs)


def _midnight(d: date) -> datetime:
    # DuckDB DATE columns arrive in pandas as datetime64; compare like with like.
    return datetime.combine(d, time())


E = gx.expectations


def _raw_documents(today: date) -> list:
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "document_id is present", column="document_id"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "document_id is unique", column="document_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "content_hash is present", column="content_hash"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "content_hash is unique (one row per content)",
           column="content_hash"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "source_uri is present", column="source_uri"),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           "clean_text is not empty (visible characters, whitespace and U+3000 excluded)",
           column="clean_text_visible_chars", min_value=1),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           "publish_date is not before 1949 and not in the future",
           column="publish_date", min_value=_midnight(EARLIEST_DATE),
           max_value=_midnight(today + PUBLISH_DATE_SLACK)),
        _x(E.ExpectColumnValuesToBeInSet, WARNING, "publish_date_precision is day or month",
           column="publish_date_precision", value_set=list(PUBLISH_DATE_PRECISIONS)),
        _x(E.ExpectColumnValuesToBeInSet, WARNING, "content_format is html, markdown or text",
           column="content_format", value_set=list(CONTENT_FORMATS)),
        _x(E.ExpectColumnValuesToNotBeNull, WARNING, "title is known", column="title"),
        _x(E.ExpectColumnValuesToBeBetween, WARNING,
           f"clean_text has at least {MIN_CLEAN_TEXT_CHARS} visible characters",
           column="clean_text_visible_chars", min_value=MIN_CLEAN_TEXT_CHARS),
    ]  # fmt: skip


def _raw_ingest_log(today: date) -> list:
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "run_id is present", column="run_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "source_uri is present", column="source_uri"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "outcome is present", column="outcome"),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "outcome is loaded, duplicate or rejected",
           column="outcome", value_set=list(INGEST_OUTCOMES)),
        _x(E.ExpectColumnValuesToNotBeNull, WARNING, "a rejected input says why",
           column="reason", row_condition=Column("outcome") == "rejected"),
        _x(E.ExpectColumnValuesToNotBeNull, WARNING, "a loaded or duplicate input names its document",
           column="document_id", row_condition=Column("outcome") != "rejected"),
    ]  # fmt: skip


def _dim_documents(today: date) -> list:
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "document_id is present", column="document_id"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "document_id is unique", column="document_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "source_uri is present", column="source_uri"),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           "publish_date is not before 1949 and not in the future",
           column="publish_date", min_value=_midnight(EARLIEST_DATE),
           max_value=_midnight(today + PUBLISH_DATE_SLACK)),
        _x(E.ExpectColumnValuesToNotBeNull, WARNING, "title is known", column="title"),
        _x(E.ExpectColumnValuesToNotBeNull, WARNING, "publish_date is known", column="publish_date"),
        _x(E.ExpectColumnValuesToNotBeNull, WARNING, "region is known", column="region"),
    ]  # fmt: skip


def _fct_targets(today: date) -> list:
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "target_id is present", column="target_id"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "target_id is unique", column="target_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "document_id is present", column="document_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "every fct_targets row's document_id is in dim_documents",
           column="dim_document_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "indicator is present", column="indicator"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "unit is present", column="unit"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "evidence is present", column="evidence"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "value is present", column="value"),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL, "value is greater than 0",
           column="value", min_value=0, strict_min=True),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "comparator is one of = > >= < <= ~ range",
           column="comparator", value_set=list(COMPARATORS)),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           f"target_year is plausible ({EARLIEST_DATE.year}..{LATEST_TARGET_YEAR}) or null",
           column="target_year", min_value=EARLIEST_DATE.year, max_value=LATEST_TARGET_YEAR),
        _x(E.ExpectColumnPairValuesAToBeGreaterThanB, WARNING,
           "target_year is not before the document's publication year "
           "(an earlier year suggests a reported value, not a target)",
           column_A="target_year", column_B="document_publish_year", or_equal=True,
           ignore_row_if="either_value_is_missing"),
    ]  # fmt: skip


def _fct_events(today: date) -> list:
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "event_id is present", column="event_id"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "event_id is unique", column="event_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "document_id is present", column="document_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "every fct_events row's document_id is in dim_documents",
           column="dim_document_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "event_date is present (the date text parsed at its precision)", column="event_date"),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "date_precision is day, month or year",
           column="date_precision", value_set=list(DATE_PRECISIONS)),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "event_type is in the accepted set",
           column="event_type", value_set=list(EVENT_TYPES)),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "name is present", column="name"),
        _x(E.ExpectColumnValuesToBeBetween, WARNING,
           "event_date is not before 1949 and at most ten years ahead",
           column="event_date", min_value=_midnight(EARLIEST_DATE),
           max_value=_midnight(today + EVENT_HORIZON)),
    ]  # fmt: skip


def _fct_indicator_values(today: date) -> list:
    # No sign check on value: a change may be negative (下降3% -> -3).
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "indicator_value_id is present",
           column="indicator_value_id"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "indicator_value_id is unique",
           column="indicator_value_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "document_id is present", column="document_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "every fct_indicator_values row's document_id is in dim_documents",
           column="dim_document_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "indicator is present", column="indicator"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "value is present", column="value"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "unit is present", column="unit"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "evidence is present", column="evidence"),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "value_kind is level or change",
           column="value_kind", value_set=list(VALUE_KINDS)),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "period_precision is year, month or day",
           column="period_precision", value_set=list(PERIOD_PRECISIONS)),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "period_start is present (the period text parsed at its precision)", column="period_start"),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           "period_start is not before 1949 and not in the future (a reported figure has happened)",
           column="period_start", min_value=_midnight(EARLIEST_DATE),
           max_value=_midnight(today + PUBLISH_DATE_SLACK)),
        _x(E.ExpectColumnPairValuesAToBeGreaterThanB, WARNING,
           "the period starts no later than the document's publication "
           "(a later period suggests a target or forecast, not a reported figure)",
           column_A="document_publish_date", column_B="period_start", or_equal=True,
           ignore_row_if="either_value_is_missing"),
        _x(E.ExpectColumnValuesToBeBetween, WARNING, "a level (an amount) is not negative",
           column="value", min_value=0, row_condition=Column("value_kind") == "level"),
        _x(E.ExpectColumnValuesToNotBeNull, WARNING, "region is known", column="region"),
    ]  # fmt: skip


def _fct_event_measures(today: date) -> list:
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "event_measure_id is present",
           column="event_measure_id"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "event_measure_id is unique",
           column="event_measure_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "event_id is present", column="event_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "every fct_event_measures row's event_id is in fct_events", column="fct_event_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "measure is present", column="measure"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "value is present", column="value"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "unit is present", column="unit"),
        _x(E.ExpectColumnValuesToBeBetween, WARNING, "an event's amount is greater than 0",
           column="value", min_value=0, strict_min=True),
    ]  # fmt: skip


# The queries keep big text columns out of pandas: clean_text is checked by length.
SUITES: tuple[TableSuite, ...] = (
    TableSuite(
        name="raw.documents",
        table="raw.documents",
        query=r"""
            select document_id, content_hash, source_uri, url, title, publish_date,
                   publish_date_precision, content_format, loaded_at,
                   length(regexp_replace(clean_text, '[\s\x{3000}\x{00A0}\x{FEFF}]+', '', 'g'))
                       as clean_text_visible_chars
            from raw.documents
        """,
        id_columns=("document_id", "source_uri"),
        expectations=_raw_documents,
    ),
    TableSuite(
        name="raw.ingest_log",
        table="raw.ingest_log",
        query="select * from raw.ingest_log",
        id_columns=("run_id", "source_uri"),
        expectations=_raw_ingest_log,
    ),
    TableSuite(
        name="marts.dim_documents",
        table="marts.dim_documents",
        query="""
            select document_id, source_uri, url, title, publish_date, publish_date_precision,
                   region, publisher, target_count, event_count, indicator_value_count
            from marts.dim_documents
        """,
        id_columns=("document_id", "source_uri"),
        expectations=_dim_documents,
    ),
    TableSuite(
        name="marts.fct_targets",
        table="marts.fct_targets",
        query="""
            select f.*, d.document_id as dim_document_id,
                   year(d.publish_date) as document_publish_year
            from marts.fct_targets as f
            left join marts.dim_documents as d on f.document_id = d.document_id
        """,
        id_columns=("target_id", "document_id"),
        expectations=_fct_targets,
    ),
    TableSuite(
        name="marts.fct_events",
        table="marts.fct_events",
        query="""
            select f.*, d.document_id as dim_document_id
            from marts.fct_events as f
            left join marts.dim_documents as d on f.document_id = d.document_id
        """,
        id_columns=("event_id", "document_id"),
        expectations=_fct_events,
    ),
    TableSuite(
        name="marts.fct_indicator_values",
        table="marts.fct_indicator_values",
        query="""
            select f.*, d.document_id as dim_document_id,
                   d.publish_date as document_publish_date
            from marts.fct_indicator_values as f
            left join marts.dim_documents as d on f.document_id = d.document_id
        """,
        id_columns=("indicator_value_id", "document_id"),
        expectations=_fct_indicator_values,
    ),
    TableSuite(
        name="marts.fct_event_measures",
        table="marts.fct_event_measures",
        query="""
            select m.*,
                   case when exists (
                       select 1 from marts.fct_events as e where e.event_id = m.event_id
                   ) then m.event_id end as fct_event_id  -- a semi-join: no fan-out
            from marts.fct_event_measures as m
        """,
        id_columns=("event_measure_id", "event_id"),
        expectations=_fct_event_measures,
    ),
)
