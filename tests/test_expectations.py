"""Real Great Expectations validations of a real dbt build on a temporary DuckDB file."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from raw_fixtures import DOC_A, DOC_B, execute, make_build_db

from expectations import (
    CRITICAL,
    SUITES,
    WARNING,
    ChecksFailed,
    assert_publishable,
    run_checks,
)
from expectations import suites as S
from ingest.transform import DBT_PROJECT_DIR, run_dbt_build


@pytest.fixture(scope="module")
def built_db(tmp_path_factory) -> Path:
    """One real dbt build, copied per test so each test can spoil its own copy."""
    root = tmp_path_factory.mktemp("gx")
    db = make_build_db(root / "build.duckdb")
    run_dbt_build(db, target_path=root / "target", log_path=root / "logs")
    return db


@pytest.fixture
def db(built_db, tmp_path) -> Path:
    copy = tmp_path / "build.duckdb"
    shutil.copy(built_db, copy)
    return copy


def failures(report, table: str, column: str):
    return [r for r in report.failed(table) if r.column == column]


def test_clean_build_passes_every_suite(db):
    report = run_checks(db)

    assert report.success, report.summary()
    assert {r.suite for r in report.results} == {s.name for s in SUITES}
    assert {r.severity for r in report.results} == {CRITICAL, WARNING}
    assert all(r.success for r in report.results), report.summary()
    assert report.summary().startswith("Data checks passed")
    assert_publishable(report)  # does not raise
    duckdb.connect(str(db)).close()  # the read-only reader is closed again


def test_every_expectation_carries_a_severity():
    for suite in SUITES:
        for expectation in suite.expectations(date(2024, 6, 1)):
            assert expectation.meta["severity"] in (CRITICAL, WARNING), (
                suite.name,
                expectation,
            )


def test_future_publish_date_blocks_publish_and_names_the_document(db):
    future = date.today() + timedelta(days=30)
    execute(
        db,
        "update raw.documents set publish_date = ? where document_id = ?",
        [future, DOC_B],
    )

    report = run_checks(db)

    assert not report.success
    [failed] = failures(report, "raw.documents", "publish_date")
    assert failed.severity == CRITICAL and failed.unexpected_count == 1
    assert failed.examples == [
        {"publish_date": future.isoformat(), "document_id": DOC_B,
         "source_uri": "file:///corpus/005_yunketing.txt"}
    ]  # fmt: skip
    with pytest.raises(ChecksFailed) as caught:
        assert_publishable(report)
    assert DOC_B in str(caught.value) and "publish_date" in str(caught.value)
    assert caught.value.report is report


def test_pre_1949_publish_date_is_critical(db):
    execute(
        db,
        "update raw.documents set publish_date = date '1911-10-10' where document_id = ?",
        [DOC_A],
    )

    report = run_checks(db)

    assert not report.success
    [failed] = report.failed_critical  # the marts were built before the update
    assert (failed.table, failed.column) == ("raw.documents", "publish_date")
    assert failed.examples[0]["publish_date"] == "1911-10-10"


def test_bad_fact_rows_are_identified(db):
    # Spoil the built marts directly, as a faulty model or extractor would.
    execute(
        db, "update marts.fct_targets set comparator = 'xx' where target_id = 't-new-2'"
    )
    execute(
        db,
        "update marts.fct_targets set value = 0, target_year = 3025 where target_id = 't-new-1'",
    )
    execute(
        db,
        "insert into marts.fct_events (event_id, document_id, event_date, date_precision, event_type, name, evidence)"
        " values ('e-orphan', 'ffffffffffffffff', date '2022-01-05', 'week', 'party', '无主活动', '无主活动。')",
    )

    report = run_checks(db)

    assert not report.success
    [comparator] = failures(report, "marts.fct_targets", "comparator")
    assert comparator.examples[0][
        "target_id"
    ] == "t-new-2" and comparator.unexpected_values == ["xx"]
    [value] = failures(report, "marts.fct_targets", "value")
    assert value.examples[0]["target_id"] == "t-new-1"
    [year] = failures(report, "marts.fct_targets", "target_year")
    assert year.examples[0]["target_year"] == 3025
    for column in ("dim_document_id", "date_precision", "event_type"):
        [failed] = failures(report, "marts.fct_events", column)
        assert failed.severity == CRITICAL
        assert failed.examples[0]["event_id"] == "e-orphan"
    message = str(pytest.raises(ChecksFailed, assert_publishable, report).value)
    assert "e-orphan" in message and "t-new-2" in message


def test_future_period_of_a_reported_figure_is_critical(db):
    future = date.today() + timedelta(days=400)
    execute(
        db,
        "update marts.fct_indicator_values set period_start = ?, period_text = ? "
        "where indicator_value_id = 'v-new-2'",
        [future, str(future.year)],
    )

    report = run_checks(db)

    assert not report.success
    failed = [
        r for r in failures(report, "marts.fct_indicator_values", "period_start")
        if r.severity == CRITICAL
    ]  # fmt: skip
    assert len(failed) == 1 and failed[0].unexpected_count == 1
    assert failed[0].examples[0]["indicator_value_id"] == "v-new-2"
    assert failed[0].examples[0]["period_start"] == future.isoformat()
    # Reported after the document was published: also flagged, as a warning.
    [later] = failures(
        report, "marts.fct_indicator_values", "document_publish_date, period_start"
    )
    assert later.severity == WARNING
    message = str(pytest.raises(ChecksFailed, assert_publishable, report).value)
    assert "v-new-2" in message and "period_start" in message


def test_negative_change_passes_but_negative_level_warns(db):
    # 下降3%: a change may be negative; an amount (level) below 0 is only suspicious.
    execute(
        db,
        "update marts.fct_indicator_values set value = -3 where indicator_value_id = 'v-new-3'",
    )
    report = run_checks(db)
    assert all(r.success for r in report.results), report.summary()

    execute(
        db,
        "update marts.fct_indicator_values set value = -1 where indicator_value_id = 'v-new-2'",
    )
    report = run_checks(db)
    assert report.success
    [level] = failures(report, "marts.fct_indicator_values", "value")
    assert level.severity == WARNING
    assert level.examples[0]["indicator_value_id"] == "v-new-2"


def test_bad_indicator_value_and_orphan_measure_are_critical(db):
    execute(
        db,
        "update marts.fct_indicator_values set value_kind = 'forecast', "
        "period_precision = 'quarter', value = null where indicator_value_id = 'v-new-4'",
    )
    execute(
        db,
        "insert into marts.fct_event_measures (event_measure_id, event_id, document_id, "
        "measure, value, unit) values ('e-missing-0', 'e-missing', ?, '签约项目', null, '个')",
        [DOC_B],
    )
    execute(
        db,
        "insert into marts.fct_event_measures select * from marts.fct_event_measures "
        "where event_measure_id = 'e-new-3-1'",
    )

    report = run_checks(db)

    assert not report.success
    for column in ("value_kind", "period_precision", "value"):
        [failed] = failures(report, "marts.fct_indicator_values", column)
        assert failed.severity == CRITICAL
        assert failed.examples[0]["indicator_value_id"] == "v-new-4"
    for column in ("fct_event_id", "value"):
        [failed] = [
            r for r in failures(report, "marts.fct_event_measures", column)
            if r.severity == CRITICAL
        ]  # fmt: skip
        assert failed.examples[0]["event_measure_id"] == "e-missing-0"
    [dup] = [
        r for r in failures(report, "marts.fct_event_measures", "event_measure_id")
        if "unique" in r.expectation_type
    ]  # fmt: skip
    assert dup.severity == CRITICAL and dup.unexpected_count == 2


def test_duplicate_document_in_dimension_is_critical(db):
    execute(
        db,
        "insert into marts.dim_documents select * from marts.dim_documents where document_id = ?",
        [DOC_A],
    )

    report = run_checks(db)

    [dup] = [
        r
        for r in failures(report, "marts.dim_documents", "document_id")
        if "unique" in r.expectation_type
    ]
    assert dup.severity == CRITICAL and dup.unexpected_count == 2
    assert {e["document_id"] for e in dup.examples} == {DOC_A}


def test_ingest_log_outcome_outside_the_set_is_critical(db):
    execute(
        db,
        "insert into raw.ingest_log (run_id, source_uri, outcome, logged_at) "
        "values ('run-x', 'file:///corpus/lost.html', 'lost', now())",
    )

    report = run_checks(db)

    [outcome] = failures(report, "raw.ingest_log", "outcome")
    assert outcome.severity == CRITICAL
    assert outcome.examples[0]["source_uri"] == "file:///corpus/lost.html"
    assert not report.success


def test_warnings_are_reported_but_do_not_block(db):
    execute(db, "update raw.documents set title = null where document_id = ?", [DOC_B])
    execute(db, "update raw.ingest_log set reason = null where outcome = 'rejected'")

    report = run_checks(db)

    assert report.success
    assert {(r.table, r.column) for r in report.failed_warnings} == {
        ("raw.documents", "title"),
        ("raw.ingest_log", "reason"),
    }
    assert_publishable(report)  # warnings never raise
    assert "[warning] FAILED" in report.summary()


def test_missing_marts_fail_closed(tmp_path):
    raw_only = make_build_db(tmp_path / "raw_only.duckdb")  # dbt never ran

    report = run_checks(raw_only)

    assert not report.success
    unreadable = {
        r.table
        for r in report.failed_critical
        if r.expectation_type == "table_is_readable"
    }
    assert unreadable == {
        "marts.dim_documents",
        "marts.fct_targets",
        "marts.fct_events",
        "marts.fct_indicator_values",
        "marts.fct_event_measures",
    }


def test_accepted_sets_match_the_dbt_tests():
    spec = yaml.safe_load(
        (DBT_PROJECT_DIR / "models/marts/_marts__models.yml").read_text(
            encoding="utf-8"
        )
    )

    def accepted(model: str, column: str) -> list:
        [m] = [m for m in spec["models"] if m["name"] == model]
        [c] = [c for c in m["columns"] if c["name"] == column]
        [t] = [
            t for t in c["data_tests"] if isinstance(t, dict) and "accepted_values" in t
        ]
        return t["accepted_values"]["arguments"]["values"]

    assert accepted("fct_targets", "comparator") == list(S.COMPARATORS)
    assert accepted("fct_events", "date_precision") == list(S.DATE_PRECISIONS)
    assert accepted("fct_events", "event_type") == list(S.EVENT_TYPES)
    assert accepted("dim_documents", "publish_date_precision") == list(
        S.PUBLISH_DATE_PRECISIONS
    )
    assert accepted("dim_documents", "content_format") == list(S.CONTENT_FORMATS)
    assert accepted("fct_indicator_values", "period_precision") == list(
        S.PERIOD_PRECISIONS
    )
    assert accepted("fct_indicator_values", "value_kind") == list(S.VALUE_KINDS)
