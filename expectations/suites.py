"""Great Expectations suites for the raw layer and the marts.

Each suite validates one DataFrame read from the build DuckDB file by a SQL
query (GX's SQL datasource does not work on DuckDB through duckdb-engine, so
the query does the reading and any join, GX does the checking). Every
expectation carries ``meta={"severity": "critical" | "warning"}``: a failed
critical expectation blocks the publish, a failed warning is only reported.

Suites are built per run because some bounds depend on today's date.

Three groups: the raw layer (documents, ingest log, and the mentions of each
document's current extractor version: year ranges, allowed units and
comparators, evidence found in the clean text at its offsets), the marts
(keys, relationships) and a one-row reconciliation of mart row counts with
raw. SQL helpers that the queries call (``mojibake_share``) are registered on
the reading connection from ``SQL_FUNCTIONS``, beside the temporary table
``scope_documents`` (``SCOPE_DOCUMENTS``) of the documents a pass checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from expectations.mojibake import mojibake_share

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

# Mojibake (mis-decoded text, see expectations/mojibake.py) as a share of a
# document's visible characters. Correctly decoded documents of the corpus
# score 0.0; every wrong-charset reading tried scores 0.08 (GBK read as Big5)
# to 0.9. Above 10 % a document is unreadable and every mention taken from it
# is garbage: critical, the batch must not be published. From 2 % it is
# suspicious (a garbled passage, or legitimate Latin letters, box-drawn
# tables): recorded as a warning, since one such page should not hold back
# the whole batch it came with.
MOJIBAKE_WARNING_SHARE = 0.02
MOJIBAKE_CRITICAL_SHARE = 0.10

# Units are written as the text has them. The extractor's vocabulary
# (ingest/extract/numbers.py) is an optional magnitude, a base unit and
# optional per-units (万元/人/年); tables add whatever their 单位 column or a
# header's bracket says (万人年). So the set is open, and checked in two tiers:
# a unit must look like one (UNIT_SHAPE: 1-12 characters, no spaces, digits or
# sentence punctuation - not empty, not "360亿元", not a clause) - critical;
# a unit outside the known vocabulary (UNIT_PATTERN) is flagged for review -
# warning. The base units are these plus whatever the extractor's vocabulary has
# gained since.
MAGNITUDES = ("万亿", "千亿", "百亿", "亿", "千万", "百万", "万", "千", "百")
BASE_UNITS = (
    "个百分点", "个工作日", "标准箱", "吨标准煤", "平方公里", "平方米", "立方米", "千瓦时", "公顷", "公里", "千米", "千克",
    "美元", "元", "人次", "家次", "人", "名", "位", "家", "个", "项", "条", "件", "所", "座", "处",
    "台", "套", "辆", "艘", "架", "吨", "标箱", "兆瓦", "场次", "亩", "米", "瓦", "户", "场", "部", "篇", "种", "款",
    "只", "头", "株", "批次", "张", "床", "间", "倍", "%", "‰",
    "人年", "千瓦", "架次", "辆次", "车次", "班次", "艘次",
)  # fmt: skip
PER_UNITS = ("人", "年", "亩", "户", "月", "天", "吨", "平方米")


def _extractor_units() -> tuple[str, ...]:
    try:
        from ingest.extract import numbers
    except Exception:  # noqa: BLE001 - the checks must run even if the extractor does not import
        return ()
    return tuple(getattr(numbers, "_BASE_UNITS", ()))


BASE_UNITS = tuple(dict.fromkeys(BASE_UNITS + _extractor_units()))


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


UNIT_SHAPE = r"\A[^\s\d.,;:()\[\]<>，。；：、（）【】《》“”]{1,12}\Z"
UNIT_PATTERN = (
    rf"\A(?:{_alternatives(MAGNITUDES)})?(?:{_alternatives(BASE_UNITS)})"
    rf"(?:/(?:{_alternatives(PER_UNITS)}))*\Z"
)


@dataclass(frozen=True)
class TableSuite:
    """One suite: which table it checks, how to read it, and its expectations."""

    name: str  # suite name, e.g. "marts.fct_targets"
    table: str  # the warehouse table, e.g. "marts.fct_targets"
    # reads the DataFrame that GX validates; a callable gets the open DuckDB
    # connection and returns the SQL (for a query that depends on which tables exist)
    query: str | Callable[[Any], str]
    id_columns: tuple[str, ...]  # identify a failing row in reports
    expectations: Callable[[date], list[gx.expectations.Expectation]]
    # An optional table that does not exist is skipped (not failed): a mart
    # that only some versions of the dbt project build.
    optional: bool = False
    # The column of the query's rows that a scoped run filters on: "document_id"
    # (checks only the documents not validated yet), "run_id" (only the ingest
    # runs not validated yet), or None (always the whole table: an aggregate).
    scope: str | None = "document_id"


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
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           f"clean_text is readable: mojibake share at most {MOJIBAKE_CRITICAL_SHARE:.0%}",
           column="mojibake_share", min_value=0, max_value=MOJIBAKE_CRITICAL_SHARE),
        _x(E.ExpectColumnValuesToBeBetween, WARNING,
           f"clean_text has no mis-decoded passage: mojibake share at most {MOJIBAKE_WARNING_SHARE:.0%}",
           column="mojibake_share", min_value=0, max_value=MOJIBAKE_WARNING_SHARE),
    ]  # fmt: skip


def _mention_basics(what: str) -> list:
    """Keys, the document, and the evidence at its offsets: every mention table."""
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "mention_id is present", column="mention_id"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "mention_id is unique", column="mention_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           f"every {what}'s document_id is in raw.documents", column="raw_document_id"),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL,
           "the evidence is found in the document's clean_text at its offsets "
           "(clean_text[evidence_start:evidence_end] == evidence)",
           column="evidence_at_offsets", value_set=[True]),
    ]  # fmt: skip


def _unit_checks() -> list:
    return [
        _x(E.ExpectColumnValuesToMatchRegex, CRITICAL,
           "unit looks like a unit (1-12 characters; no spaces, digits or punctuation)",
           column="unit", regex=UNIT_SHAPE),
        _x(E.ExpectColumnValuesToMatchRegex, WARNING,
           "unit is in the known vocabulary ([magnitude] base unit [/per unit])",
           column="unit", regex=UNIT_PATTERN),
    ]  # fmt: skip


def _raw_target_mentions(today: date) -> list:
    return _mention_basics("target mention") + [
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           f"target_year is plausible ({EARLIEST_DATE.year}..{LATEST_TARGET_YEAR}) or null",
           column="target_year", min_value=EARLIEST_DATE.year, max_value=LATEST_TARGET_YEAR),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           f"baseline_year is plausible ({EARLIEST_DATE.year}..{LATEST_TARGET_YEAR}) or null",
           column="baseline_year", min_value=EARLIEST_DATE.year, max_value=LATEST_TARGET_YEAR),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL, "value is greater than 0",
           column="value", min_value=0, strict_min=True),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "comparator is one of = > >= < <= ~ range",
           column="comparator", value_set=list(COMPARATORS)),
        *_unit_checks(),
    ]  # fmt: skip


def _raw_event_mentions(today: date) -> list:
    return _mention_basics("event mention") + [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "date_precision is set", column="date_precision"),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "date_precision is day, month or year",
           column="date_precision", value_set=list(DATE_PRECISIONS)),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "event_date parses at its precision (YYYY-MM-DD | YYYY-MM | YYYY)",
           column="event_date_parsed"),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           f"the event's year is plausible ({EARLIEST_DATE.year}..{LATEST_TARGET_YEAR})",
           column="event_year", min_value=EARLIEST_DATE.year, max_value=LATEST_TARGET_YEAR),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "event_type is in the accepted set",
           column="event_type", value_set=list(EVENT_TYPES)),
    ]  # fmt: skip


def _raw_indicator_value_mentions(today: date) -> list:
    # No sign check on value: a change may be negative (下降3% -> -3).
    return _mention_basics("reported-figure mention") + [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "value_kind is set", column="value_kind"),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "value_kind is level or change",
           column="value_kind", value_set=list(VALUE_KINDS)),
        _x(E.ExpectColumnValuesToBeInSet, CRITICAL, "period_precision is year, month or day",
           column="period_precision", value_set=list(PERIOD_PRECISIONS)),
        _x(E.ExpectColumnValuesToBeBetween, CRITICAL,
           f"the period's year is plausible ({EARLIEST_DATE.year}..{LATEST_TARGET_YEAR})",
           column="period_year", min_value=EARLIEST_DATE.year, max_value=LATEST_TARGET_YEAR),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "the period has a year", column="period_year"),
        *_unit_checks(),
    ]  # fmt: skip


def _fct_event_mentions(today: date) -> list:
    return [
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "mention_id is present", column="mention_id"),
        _x(E.ExpectColumnValuesToBeUnique, CRITICAL, "mention_id is unique", column="mention_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL, "event_id is present", column="event_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "every fct_event_mentions row's event_id is in fct_events", column="fct_event_id"),
        _x(E.ExpectColumnValuesToNotBeNull, CRITICAL,
           "every fct_event_mentions row's document_id is in dim_documents",
           column="dim_document_id"),
    ]  # fmt: skip


# (raw count column, mart count column, what): one critical expectation each.
RECONCILED_COUNTS = (
    ("raw_documents", "mart_documents", "dim_documents has one row per raw document"),
    ("raw_target_mentions", "mart_targets",
     "fct_targets has one row per current-version raw target mention"),
    ("raw_event_mentions", "mart_event_mentions",
     "fct_event_mentions (or fct_events) has one row per current-version raw event mention"),
    ("raw_indicator_value_mentions", "mart_indicator_values",
     "fct_indicator_values has one row per current-version raw reported-figure mention"),
)  # fmt: skip


def _row_counts(today: date) -> list:
    return [
        _x(E.ExpectColumnPairValuesToBeEqual, CRITICAL, f"row counts reconcile: {what}",
           column_A=raw, column_B=mart)
        for raw, mart, what in RECONCILED_COUNTS
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


# Python functions the suite queries call, registered on the reading connection:
# name -> (function, parameter types, return type).
SQL_FUNCTIONS: dict[str, tuple[Callable, list[str], str]] = {
    "mojibake_share": (mojibake_share, ["VARCHAR"], "DOUBLE"),
}

# A temporary table the runner creates on the reading connection before the
# suites read: the document_id of every document the pass checks (all of
# raw.documents when unscoped). A suite query may filter on it where the
# runner's outer filter would come too late (after a costly expression).
SCOPE_DOCUMENTS = "scope_documents"

# Each document's current extractor version, as dbt's
# int_extractions__current_version decides it: its most recent extraction run
# (ties to the greater version string).
CURRENT_VERSION_CTE = """
    current_version as (
        select document_id, extractor_version
        from (
            select document_id, extractor_version,
                   row_number() over (
                       partition by document_id order by extracted_at desc, extractor_version desc
                   ) as version_rank
            from raw.extractions
        )
        where version_rank = 1
    )
"""


def _current_mentions(table: str, columns: str) -> str:
    """A raw mention table's current-version rows with the evidence checked against clean_text.

    DuckDB's substring is 1-based and counts characters (code points), as
    Python's slices do; a missing document or reversed offsets yield false.
    """
    return f"""
        with {CURRENT_VERSION_CTE}
        select {columns}, m.evidence_start, m.evidence_end,
               d.document_id as raw_document_id,
               coalesce(
                   m.evidence_start >= 0 and m.evidence_end > m.evidence_start
                   and substring(d.clean_text, m.evidence_start + 1, m.evidence_end - m.evidence_start)
                       = m.evidence,
                   false
               ) as evidence_at_offsets
        from raw.{table} as m
        inner join current_version as c
            on m.document_id = c.document_id and m.extractor_version = c.extractor_version
        left join raw.documents as d on m.document_id = d.document_id
        -- filtered here, not outside: DuckDB would read every document's clean_text first
        where m.document_id in (select document_id from {SCOPE_DOCUMENTS})
    """


def table_exists(con, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _row_counts_query(con) -> str:
    """One row: each mart's row count beside the raw count it must equal.

    Event mentions are compared with marts.fct_event_mentions when the marts
    split events from their mentions (one event, several articles), else with
    fct_events (one row per mention).
    """
    events = (
        "marts.fct_event_mentions"
        if table_exists(con, "marts.fct_event_mentions")
        else "marts.fct_events"
    )

    def current(table: str) -> str:
        return (
            f"(select count(*) from raw.{table} as m inner join current_version as c "
            "on m.document_id = c.document_id and m.extractor_version = c.extractor_version)"
        )

    return f"""
        with {CURRENT_VERSION_CTE}
        select
            (select count(*) from raw.documents) as raw_documents,
            (select count(*) from marts.dim_documents) as mart_documents,
            {current("target_mentions")} as raw_target_mentions,
            (select count(*) from marts.fct_targets) as mart_targets,
            {current("event_mentions")} as raw_event_mentions,
            (select count(*) from {events}) as mart_event_mentions,
            {current("indicator_value_mentions")} as raw_indicator_value_mentions,
            (select count(*) from marts.fct_indicator_values) as mart_indicator_values,
            '{events}' as event_mentions_mart
    """


# The queries keep big text columns out of pandas: clean_text is checked by
# length and mojibake share, evidence in SQL.
SUITES: tuple[TableSuite, ...] = (
    TableSuite(
        name="raw.documents",
        table="raw.documents",
        query=r"""
            select document_id, content_hash, source_uri, url, title, publish_date,
                   publish_date_precision, content_format, loaded_at,
                   length(regexp_replace(clean_text, '[\s\x{3000}\x{00A0}\x{FEFF}]+', '', 'g'))
                       as clean_text_visible_chars,
                   mojibake_share(clean_text) as mojibake_share
            from raw.documents
            -- filtered here, not outside: DuckDB would call the Python UDF on every row first
            where document_id in (select document_id from scope_documents)
        """,
        id_columns=("document_id", "source_uri"),
        expectations=_raw_documents,
    ),
    TableSuite(
        name="raw.target_mentions",
        table="raw.target_mentions",
        query=_current_mentions(
            "target_mentions",
            "m.mention_id, m.document_id, m.extractor_version, m.indicator, m.value, m.unit, "
            "m.comparator, m.target_year, m.baseline_year",
        ),
        id_columns=("mention_id", "document_id"),
        expectations=_raw_target_mentions,
    ),
    TableSuite(
        name="raw.event_mentions",
        table="raw.event_mentions",
        query=_current_mentions(
            "event_mentions",
            "m.mention_id, m.document_id, m.extractor_version, m.event_date, m.date_precision, "
            "m.event_type, m.name, "
            "case m.date_precision "
            "  when 'day' then try_strptime(trim(m.event_date), '%Y-%m-%d') "
            "  when 'month' then try_strptime(trim(m.event_date) || '-01', '%Y-%m-%d') "
            "  when 'year' then try_strptime(trim(m.event_date) || '-01-01', '%Y-%m-%d') "
            "end::date as event_date_parsed, "
            "try_cast(left(trim(m.event_date), 4) as integer) as event_year",
        ),
        id_columns=("mention_id", "document_id"),
        expectations=_raw_event_mentions,
    ),
    TableSuite(
        name="raw.indicator_value_mentions",
        table="raw.indicator_value_mentions",
        query=_current_mentions(
            "indicator_value_mentions",
            "m.mention_id, m.document_id, m.extractor_version, m.indicator, m.value, m.unit, "
            "m.period, m.period_precision, m.value_kind, "
            "try_cast(left(trim(m.period), 4) as integer) as period_year",
        ),
        id_columns=("mention_id", "document_id"),
        expectations=_raw_indicator_value_mentions,
    ),
    TableSuite(
        name="raw.ingest_log",
        table="raw.ingest_log",
        query="select * from raw.ingest_log",
        id_columns=("run_id", "source_uri"),
        expectations=_raw_ingest_log,
        scope="run_id",
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
            select f.target_id, f.document_id, f.indicator, f.value, f.unit, f.comparator,
                   f.target_year, f.evidence,
                   d.document_id as dim_document_id,
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
            select f.event_id, f.document_id, f.event_date, f.date_precision, f.event_type,
                   f.name, d.document_id as dim_document_id
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
            select f.indicator_value_id, f.document_id, f.indicator, f.value, f.unit,
                   f.period_start, f.period_precision, f.value_kind, f.region, f.evidence,
                   d.document_id as dim_document_id,
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
            select m.event_measure_id, m.event_id, m.document_id, m.measure, m.value, m.unit,
                   case when exists (
                       select 1 from marts.fct_events as e where e.event_id = m.event_id
                   ) then m.event_id end as fct_event_id  -- a semi-join: no fan-out
            from marts.fct_event_measures as m
        """,
        id_columns=("event_measure_id", "event_id"),
        expectations=_fct_event_measures,
    ),
    TableSuite(
        name="marts.fct_event_mentions",
        table="marts.fct_event_mentions",
        query="""
            select m.mention_id, m.event_id, m.document_id,
                   case when exists (
                       select 1 from marts.fct_events as e where e.event_id = m.event_id
                   ) then m.event_id end as fct_event_id,
                   case when exists (
                       select 1 from marts.dim_documents as d where d.document_id = m.document_id
                   ) then m.document_id end as dim_document_id
            from marts.fct_event_mentions as m
        """,
        id_columns=("mention_id", "event_id", "document_id"),
        expectations=_fct_event_mentions,
        optional=True,  # built once events are deduplicated across documents
    ),
    TableSuite(
        name="reconcile.row_counts",
        table="reconcile.row_counts",
        query=_row_counts_query,
        id_columns=("event_mentions_mart",),
        expectations=_row_counts,
        scope=None,
    ),
)
