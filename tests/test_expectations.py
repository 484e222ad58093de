"""Real Great Expectations validations of a real dbt build on a temporary DuckDB file."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from raw_fixtures import (
    DOC_A,
    DOC_B,
    EVIDENCE_B2,
    TEXT_B,
    execute,
    fetch,
    make_build_db,
)

from expectations import (
    AUDIT_COLUMNS,
    CRITICAL,
    SUITES,
    WARNING,
    CheckScope,
    ChecksFailed,
    assert_publishable,
    build_data_docs,
    mojibake_share,
    run_checks,
)
from expectations import suites as S
from expectations.data_docs import INDEX_SUMMARIES
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
    checked = {r.suite for r in report.results}
    assert (
        {s.name for s in SUITES if not s.optional}
        <= checked
        <= {s.name for s in SUITES}
    )
    assert {r.severity for r in report.results} == {CRITICAL, WARNING}
    assert all(r.success for r in report.results), report.summary()
    assert report.summary().startswith("Data checks passed")
    assert_publishable(report)  # does not raise
    duckdb.connect(str(db)).close()  # the read-only reader is closed again


def test_scoped_checks_in_passes_find_what_a_full_check_finds(db):
    """Checking the documents one pass at a time merges to the same outcomes;
    a scope without the bad document does not see it."""
    future = date.today() + timedelta(days=30)
    execute(db, "update raw.documents set publish_date = ? where document_id = ?", [future, DOC_B])
    runs = [row[0] for row in fetch(db, "select distinct run_id from raw.ingest_log")]

    def outcomes(report):
        return {(r.suite, r.expectation_type, r.column, r.description): (r.success, r.unexpected_count)
                for r in report.results}  # fmt: skip

    full = run_checks(db)
    in_passes = run_checks(db, scope=CheckScope([DOC_A, DOC_B], runs), chunk_documents=1)
    assert not full.success and not in_passes.success
    assert outcomes(in_passes) == outcomes(full)
    [failed] = failures(in_passes, "raw.documents", "publish_date")
    assert failed.examples[0]["document_id"] == DOC_B

    without_b = run_checks(db, scope=CheckScope([DOC_A], runs))
    assert not failures(without_b, "raw.documents", "publish_date")
    nothing_new = run_checks(db, scope=CheckScope([], []))
    assert {r.suite for r in nothing_new.results} == {"reconcile.row_counts"}


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
        "insert into marts.fct_events (event_id, document_id, event_date, date_precision, event_type, name, evidence, measure_count)"
        " values ('e-orphan', 'ffffffffffffffff', date '2022-01-05', 'week', 'party', '无主活动', '无主活动。', 0)",
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
    # The marts' contracts reject a null value when dbt builds them; the suites
    # check it again on their own, as for a table built before its contract said so.
    for table in ("fct_indicator_values", "fct_event_measures"):
        execute(db, f"alter table marts.{table} alter column value drop not null")
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
        "reconcile.row_counts",  # counts the marts too
    }
    # The raw layer is still checked, and passes.
    assert all(r.success for r in report.results if r.table.startswith("raw.")), (
        report.summary()
    )


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


# --- raw mentions: evidence at its offsets, allowed sets, ranges -----------------


def test_evidence_not_at_its_offsets_is_critical_and_names_the_mention(db):
    # Offsets shifted by one, evidence text that is not in the document, offsets
    # past the end of the text: each fails in its own mention table.
    execute(
        db,
        "update raw.target_mentions set evidence_start = evidence_start + 1 "
        "where mention_id = 't-new-2'",
    )
    execute(
        db,
        "update raw.event_mentions set evidence = '这句话不在原文里。' where mention_id = 'e-new-2'",
    )
    execute(
        db,
        "update raw.indicator_value_mentions set evidence_start = ?, evidence_end = ? "
        "where mention_id = 'v-new-3'",
        [len(TEXT_B) + 5, len(TEXT_B) + 5 + len(EVIDENCE_B2)],
    )
    # An outdated extractor version is not checked: its facts are not published.
    execute(
        db,
        "update raw.target_mentions set evidence_end = 0 where mention_id = 't-old-1'",
    )

    report = run_checks(db)

    assert not report.success
    for table, mention in (
        ("raw.target_mentions", "t-new-2"),
        ("raw.event_mentions", "e-new-2"),
        ("raw.indicator_value_mentions", "v-new-3"),
    ):
        [failed] = failures(report, table, "evidence_at_offsets")
        assert failed.severity == CRITICAL and failed.unexpected_count == 1, failed
        assert failed.examples[0]["mention_id"] == mention
        assert failed.examples[0]["evidence_at_offsets"] is False
    message = str(pytest.raises(ChecksFailed, assert_publishable, report).value)
    assert "t-new-2" in message and "t-old-1" not in message


def test_mention_values_outside_their_allowed_sets_and_ranges_are_critical(db):
    execute(
        db,
        "update raw.target_mentions set unit = '360亿元', comparator = 'about', "
        "target_year = 1900 where mention_id = 't-new-1'",
    )
    execute(db, "update raw.target_mentions set value = 0 where mention_id = 't-new-2'")
    execute(
        db,
        "update raw.event_mentions set date_precision = 'week', event_date = '2022-W01' "
        "where mention_id = 'e-new-3'",
    )
    execute(
        db,
        "update raw.indicator_value_mentions set value_kind = 'forecast', unit = '', "
        "period = '1848' where mention_id = 'v-new-4'",
    )

    report = run_checks(db)

    assert not report.success
    expected = {
        ("raw.target_mentions", "unit"): ("t-new-1", "360亿元"),
        ("raw.target_mentions", "comparator"): ("t-new-1", "about"),
        ("raw.target_mentions", "target_year"): ("t-new-1", 1900),
        ("raw.target_mentions", "value"): ("t-new-2", 0.0),
        ("raw.event_mentions", "date_precision"): ("e-new-3", "week"),
        ("raw.event_mentions", "event_date_parsed"): ("e-new-3", None),
        ("raw.indicator_value_mentions", "value_kind"): ("v-new-4", "forecast"),
        ("raw.indicator_value_mentions", "unit"): ("v-new-4", ""),
        ("raw.indicator_value_mentions", "period_year"): ("v-new-4", 1848),
    }
    for (table, column), (mention, value) in expected.items():
        # A malformed unit also fails the (warning) vocabulary check.
        [failed] = [
            f for f in failures(report, table, column) if f.severity == CRITICAL
        ]
        assert failed.unexpected_count == 1, failed
        assert failed.examples[0]["mention_id"] == mention, failed
        assert failed.examples[0][column] == value, failed


def test_unit_outside_the_known_vocabulary_only_warns(db):
    # Tables give units as written (万人年, 件/万人): a new one is reviewed, not blocked.
    execute(
        db,
        "update raw.target_mentions set unit = '件/万人' where mention_id = 't-new-1'",
    )

    report = run_checks(db)

    assert report.success, report.summary()
    [failed] = failures(report, "raw.target_mentions", "unit")
    assert failed.severity == WARNING
    assert failed.examples[0] == {
        "unit": "件/万人",
        "mention_id": "t-new-1",
        "document_id": DOC_A,
    }


def test_mention_of_a_document_not_in_raw_is_critical(db):
    orphan = "ffffffffffffffff"
    execute(
        db,
        "insert into raw.extractions values (?, 'extract-2.0', 1, 0, now())",
        [orphan],
    )
    execute(
        db,
        "insert into raw.target_mentions (mention_id, document_id, extractor_version, indicator, "
        "value, unit, comparator, target_year, evidence, evidence_start, evidence_end, extracted_at) "
        "values ('t-orphan', ?, 'extract-2.0', '研发投入', 1, '亿元', '=', 2025, '研发投入1亿元', 0, 7, now())",
        [orphan],
    )

    report = run_checks(db)

    for column in ("raw_document_id", "evidence_at_offsets"):
        [failed] = failures(report, "raw.target_mentions", column)
        assert failed.severity == CRITICAL
        assert failed.examples[0]["mention_id"] == "t-orphan"
    assert not report.success


def test_every_unit_the_extractor_writes_is_allowed():
    from ingest.extract import numbers

    shape, known = re.compile(S.UNIT_SHAPE), re.compile(S.UNIT_PATTERN)
    assert set(numbers._BASE_UNITS) <= set(S.BASE_UNITS)
    for base in numbers._BASE_UNITS:
        for written in (
            base,
            "亿" + base,
            "万" + base,
            base + "/人",
            "万" + base + "/年",
        ):
            assert known.search(written) and shape.search(written), written
    for text in (
        "增长到3600亿元",
        "达到1.5万家",
        "人均10万元/人",
        "下降3个百分点",
        "达到5‰",
    ):
        for quantity in numbers.find_quantities(text):
            assert known.search(quantity.unit), (text, quantity.unit)
    for table_unit in ("万人年", "件/万人", "kWh", "℃", "小时"):
        assert shape.search(table_unit), table_unit
    for not_a_unit in (
        "",
        " 亿元",
        "360亿元",
        "亿元，",
        "达到（左右）",
        "全市规模以上工业增加值同比增长",
    ):
        assert not shape.search(not_a_unit), not_a_unit
        assert not known.search(not_a_unit), not_a_unit


# --- raw documents: mojibake ------------------------------------------------------


GOOD_TEXT = (
    TEXT_B
    + "\n截至2023年底，全市常住人口达到887.9万人，面积11015平方公里·温度25°C，比上年增长5.2%×2。"
)


# How Chinese text gets garbled: (how, the garbled text).
MISDECODINGS = {
    # a page declaring gb2312 whose bytes are UTF-8
    "utf8-as-gbk": GOOD_TEXT.encode("utf-8").decode("gbk", errors="replace"),
    # UTF-8 through a Latin-1/cp1252 round trip: "æ³‰å·ž"
    "utf8-as-cp1252": GOOD_TEXT.encode("utf-8").decode("cp1252", errors="replace"),
    # GBK without a charset, read as Latin-1
    "gbk-as-latin1": GOOD_TEXT.encode("gbk").decode("latin-1"),
    # GBK read as UTF-8: U+FFFD
    "gbk-as-utf8": GOOD_TEXT.encode("gbk").decode("utf-8", errors="replace"),
    # GBK read as Shift-JIS: half-width katakana
    "gbk-as-sjis": GOOD_TEXT.encode("gbk").decode("shift_jis", errors="replace"),
    # U+FFFD's UTF-8 bytes read as GBK
    "kunjinkao": "锟斤拷" * 20 + GOOD_TEXT[:50],
}


@pytest.mark.parametrize("garbled", MISDECODINGS.values(), ids=MISDECODINGS.keys())
def test_mojibake_share_of_misdecoded_text_is_above_the_critical_threshold(garbled):
    assert mojibake_share(garbled) > S.MOJIBAKE_CRITICAL_SHARE


def test_mojibake_share_of_correct_text_is_zero():
    assert mojibake_share(GOOD_TEXT) == 0.0  # · ° × are ordinary in Chinese text
    assert mojibake_share("") == 0.0 and mojibake_share(None) is None
    traditional = "晉江市實現地區生產總值2986.41億元，同比增長8.5%。"
    assert mojibake_share(traditional) == 0.0  # Big5 decoded right is not mojibake
    assert S.MOJIBAKE_WARNING_SHARE < S.MOJIBAKE_CRITICAL_SHARE


def test_misdecoded_document_is_critical_and_names_it(db):
    garbled = TEXT_B.encode("utf-8").decode("gbk", errors="replace")
    execute(
        db,
        "update raw.documents set clean_text = ? where document_id = ?",
        [garbled, DOC_B],
    )

    report = run_checks(db)

    assert not report.success
    found = failures(report, "raw.documents", "mojibake_share")
    assert {f.severity for f in found} == {CRITICAL, WARNING}
    for failed in found:
        assert failed.unexpected_count == 1
        assert failed.examples[0]["document_id"] == DOC_B
        assert failed.examples[0]["mojibake_share"] > S.MOJIBAKE_CRITICAL_SHARE
    message = str(pytest.raises(ChecksFailed, assert_publishable, report).value)
    assert DOC_B in message and "mojibake" in message


def test_a_few_garbled_characters_only_warn(db):
    # About 5 % mis-decoded: suspicious, recorded, but the batch is published.
    [(text,)] = fetch(
        db, "select clean_text from raw.documents where document_id = ?", [DOC_A]
    )
    execute(
        db,
        "update raw.documents set clean_text = ? where document_id = ?",
        [text + "ÖÐ»ª" * 2, DOC_A],
    )

    report = run_checks(db)

    assert report.success, report.summary()
    [warning] = failures(report, "raw.documents", "mojibake_share")
    assert warning.severity == WARNING
    assert warning.examples[0]["document_id"] == DOC_A
    assert (
        S.MOJIBAKE_WARNING_SHARE
        < warning.examples[0]["mojibake_share"]
        <= S.MOJIBAKE_CRITICAL_SHARE
    )


# --- marts: row counts reconcile with raw ------------------------------------------


def _event_mentions_mart(db: Path) -> str:
    """The mart that has one row per event mention: fct_event_mentions once events are deduplicated."""
    [(split,)] = fetch(
        db,
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'fct_event_mentions'",
    )
    return "marts.fct_event_mentions" if split else "marts.fct_events"


def test_mart_row_counts_that_do_not_reconcile_with_raw_are_critical(db):
    events_mart = _event_mentions_mart(db)
    execute(db, "delete from marts.fct_targets where target_id = 't-new-1'")
    execute(db, "delete from marts.dim_documents where document_id = ?", [DOC_B])
    execute(
        db,
        "delete from marts.fct_indicator_values where indicator_value_id = 'v-new-2'",
    )
    execute(db, f"insert into {events_mart} select * from {events_mart} limit 1")

    report = run_checks(db)

    assert not report.success
    expected = {
        "raw_documents, mart_documents": {"raw_documents": 2, "mart_documents": 1},
        "raw_target_mentions, mart_targets": {"raw_target_mentions": 2, "mart_targets": 1},
        "raw_event_mentions, mart_event_mentions": {
            "raw_event_mentions": 3, "mart_event_mentions": 4,
        },
        "raw_indicator_value_mentions, mart_indicator_values": {
            "raw_indicator_value_mentions": 4, "mart_indicator_values": 3,
        },
    }  # fmt: skip
    for columns, counts in expected.items():
        [failed] = failures(report, "reconcile.row_counts", columns)
        assert failed.severity == CRITICAL
        assert failed.examples == [{**counts, "event_mentions_mart": events_mart}]
    message = str(pytest.raises(ChecksFailed, assert_publishable, report).value)
    assert "row counts reconcile" in message


def test_event_counts_reconcile_with_fct_event_mentions_when_the_marts_split_events(db):
    # One row per deduplicated event in fct_events, one per mention in
    # fct_event_mentions: the mentions are what reconcile with raw.
    if _event_mentions_mart(db) == "marts.fct_events":  # a dbt project before the split
        execute(
            db,
            "create table marts.fct_event_mentions as "
            "select event_id as mention_id, event_id, document_id from marts.fct_events",
        )
    # Two mentions of one event: fct_events has a row fewer than raw has mentions.
    execute(db, "delete from marts.fct_events where event_id = 'e-new-3'")
    execute(
        db,
        "update marts.fct_event_mentions set event_id = 'e-new-2' where mention_id = 'e-new-3'",
    )

    report = run_checks(db)
    [counts] = [
        r
        for r in report.results
        if r.column == "raw_event_mentions, mart_event_mentions"
    ]
    assert counts.success, report.summary()
    assert all(
        r.success for r in report.results if r.table == "marts.fct_event_mentions"
    )

    execute(db, "delete from marts.fct_event_mentions where mention_id = 'e-new-3'")
    execute(
        db,
        "update marts.fct_event_mentions set event_id = 'e-gone', document_id = 'ffffffffffffffff' "
        "where mention_id = 'e-new-1'",
    )
    report = run_checks(db)
    [counts] = failures(
        report, "reconcile.row_counts", "raw_event_mentions, mart_event_mentions"
    )
    assert counts.examples == [{
        "raw_event_mentions": 3, "mart_event_mentions": 2,
        "event_mentions_mart": "marts.fct_event_mentions",
    }]  # fmt: skip
    for column in ("fct_event_id", "dim_document_id"):
        [failed] = failures(report, "marts.fct_event_mentions", column)
        assert failed.severity == CRITICAL
        assert failed.examples[0]["mention_id"] == "e-new-1"


def test_optional_mart_that_is_not_built_is_skipped(db):
    execute(db, "drop table if exists marts.fct_event_mentions")

    report = run_checks(db)

    assert "marts.fct_event_mentions" not in {r.suite for r in report.results}
    [counts] = [
        r
        for r in report.results
        if r.column == "raw_event_mentions, mart_event_mentions"
    ]
    assert counts.examples == [] and counts.success, report.summary()


# --- audit records and Data Docs --------------------------------------------------------


def test_records_are_the_rows_of_the_audit_table(db, tmp_path):
    from ingest.pipeline import AUDIT_DDL
    from ingest.warehouse import connect, insert_rows

    execute(
        db,
        "update raw.target_mentions set comparator = '≈' where mention_id = 't-new-2'",
    )
    report = run_checks(db)

    records = report.to_records(run_id="val-1", pipeline_run_id="run-9")
    assert len(records) == len(report.results)
    assert all(tuple(r) == AUDIT_COLUMNS for r in records)
    [failed] = [
        r for r in records
        if not r["success"] and r["table_name"] == "raw.target_mentions"
    ]  # fmt: skip
    assert failed["severity"] == CRITICAL and failed["unexpected_count"] == 1
    assert json.loads(failed["examples"])[0]["mention_id"] == "t-new-2"
    assert json.loads(failed["examples"])[0]["comparator"] == "≈"

    con = connect(tmp_path / "records.duckdb")  # "audit.duckdb" would shadow the schema
    try:
        con.execute(AUDIT_DDL)
        rows = [tuple(r[c] for c in AUDIT_COLUMNS) for r in records]
        insert_rows(con, "audit.validation_results", AUDIT_COLUMNS, rows)
        assert con.execute(
            "select count(*), count(*) filter (where not success) from audit.validation_results "
            "where run_id = 'val-1' and pipeline_run_id = 'run-9'"
        ).fetchone() == (len(records), 1)
    finally:
        con.close()


def _page_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_data_docs_render_each_run_with_its_failures(db, tmp_path):
    execute(
        db,
        "update raw.target_mentions set evidence_start = evidence_start + 1 "
        "where mention_id = 't-new-2'",
    )
    failing = run_checks(db)
    out = tmp_path / "published" / "data_docs"

    index = build_data_docs(failing, out, run_name="val-failing")

    assert index == out / "index.html" and index.is_file()
    index_html = index.read_text(encoding="utf-8")
    assert {r.suite for r in failing.results} >= {
        s.name for s in SUITES if not s.optional
    }
    for suite in {r.suite for r in failing.results}:
        assert suite in index_html, suite
    assert "val-failing" in index_html
    [page] = (out / "validations" / "raw" / "target_mentions" / "val-failing").rglob(
        "*.html"
    )
    text = _page_text(page)
    assert "Status: Failed" in text
    assert "[critical] the evidence is found in the document" in text
    assert "mention_id=t-new-2" in text  # the failing row is identified
    assert (out / "expectations" / "reconcile" / "row_counts.html").is_file()

    # A later, passing run is added beside it; the index lists both.
    execute(
        db,
        "update raw.target_mentions set evidence_start = evidence_start - 1 "
        "where mention_id = 't-new-2'",
    )
    passing = run_checks(db)
    build_data_docs(passing, out, run_name="val-passing")
    index_html = index.read_text(encoding="utf-8")
    assert "val-failing" in index_html and "val-passing" in index_html
    [page] = (out / "validations" / "raw" / "target_mentions" / "val-passing").rglob(
        "*.html"
    )
    assert "Status: Succeeded" in _page_text(page)

    # Only the newest runs are kept.
    build_data_docs(passing, out, run_name="val-latest", keep_runs=2)
    runs = {p.name for p in (out / "validations" / "raw" / "documents").iterdir()}
    assert runs == {"val-passing", "val-latest"}
    assert "val-failing" not in index.read_text(encoding="utf-8")


def test_data_docs_index_from_summaries_is_the_index_gx_builds_from_every_result(db, tmp_path):
    execute(db, "update raw.target_mentions set evidence_start = evidence_start + 1 where mention_id = 't-new-2'")
    failing = run_checks(db)
    execute(db, "update raw.target_mentions set evidence_start = evidence_start - 1 where mention_id = 't-new-2'")
    passing = run_checks(db)
    summarized, read_in_full = tmp_path / "summarized", tmp_path / "read_in_full"
    for out in (summarized, read_in_full):
        build_data_docs(failing, out, run_name="val-failing")
    summaries = read_in_full / INDEX_SUMMARIES
    kept = json.loads(summaries.read_text(encoding="utf-8"))
    assert len(kept["results"]) == len(failing.validations)
    # Summaries of another version (here claiming every result passed) are not
    # trusted: the second build of this site reads the first run's results again.
    stale = {key: {**summary, "success": True} for key, summary in kept["results"].items()}
    summaries.write_text(json.dumps({"version": ["an older version"], "results": stale}), encoding="utf-8")

    for out in (summarized, read_in_full):
        build_data_docs(passing, out, run_name="val-passing")

    def index(out: Path) -> str:  # without the build time GX adds to its logo's address
        return re.sub(r"\?d=\d{8}T[\d.]+Z", "", (out / "index.html").read_text(encoding="utf-8"))

    assert index(summarized) == index(read_in_full)
    assert "val-failing" in index(summarized) and "Failed" in index(summarized)
    # A dropped run's summaries go with it.
    build_data_docs(run_checks(db), summarized, run_name="val-latest", keep_runs=1)
    kept = json.loads((summarized / INDEX_SUMMARIES).read_text(encoding="utf-8"))["results"]
    assert {json.loads(key)[1] for key in kept} == {"val-latest"}


def test_data_docs_show_a_failure_found_in_a_later_pass(db, tmp_path):
    """Checked in passes of one document, the bad document is in the second
    pass: its failure has a page of its own, beside the first pass's."""
    future = date.today() + timedelta(days=30)
    first, second = sorted([DOC_A, DOC_B])
    execute(db, "update raw.documents set publish_date = ? where document_id = ?", [future, second])
    runs = [row[0] for row in fetch(db, "select distinct run_id from raw.ingest_log")]
    report = run_checks(db, scope=CheckScope([first, second], runs), chunk_documents=1)
    out = tmp_path / "docs"

    build_data_docs(report, out, run_name="val-passes")

    pages = {
        page.stem: _page_text(page)
        for page in (out / "validations" / "raw" / "documents" / "val-passes").rglob("*.html")
    }
    assert set(pages) == {"documents_pass_1_of_2", "documents_pass_2_of_2"}
    assert "Status: Succeeded" in pages["documents_pass_1_of_2"]
    assert "Status: Failed" in pages["documents_pass_2_of_2"]
    assert "pass 2 of 2" in pages["documents_pass_2_of_2"]
    assert f"document_id={second}" in pages["documents_pass_2_of_2"]
    # A suite that passed in every pass keeps one page.
    [page] = (out / "validations" / "raw" / "target_mentions" / "val-passes").rglob("*.html")
    assert page.stem == "documents_pass_1_of_2"


def test_data_docs_show_tables_that_could_not_be_read(tmp_path):
    report = run_checks(make_build_db(tmp_path / "raw_only.duckdb"))

    index = build_data_docs(report, tmp_path / "docs")

    [page] = (tmp_path / "docs" / "validations" / "marts" / "fct_targets").rglob(
        "*.html"
    )
    text = _page_text(page)
    assert "Status: Failed" in text
    assert "[critical] marts.fct_targets exists and can be read" in text
    assert "does not exist" in text
    assert "marts.fct_targets" in index.read_text(encoding="utf-8")
