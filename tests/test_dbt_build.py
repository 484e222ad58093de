"""Real `dbt build` of dbt_project/ on a temporary DuckDB build file."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from raw_fixtures import DOC_A, DOC_B, NEW, execute, make_build_db

from ingest.transform import DbtBuildError, run_dbt_build

CONTRACT = {
    "dim_documents": {
        "document_id": "VARCHAR", "source_uri": "VARCHAR", "url": "VARCHAR",
        "title": "VARCHAR", "publish_date": "DATE", "region": "VARCHAR",
    },
    "fct_targets": {
        "target_id": "VARCHAR", "document_id": "VARCHAR", "indicator": "VARCHAR",
        "value": "DOUBLE", "unit": "VARCHAR", "comparator": "VARCHAR",
        "target_year": "INTEGER", "evidence": "VARCHAR",
    },
    "fct_events": {
        "event_id": "VARCHAR", "document_id": "VARCHAR", "event_date": "DATE",
        "date_precision": "VARCHAR", "event_type": "VARCHAR", "name": "VARCHAR",
        "evidence": "VARCHAR",
    },
}  # fmt: skip


def build(tmp_path: Path, db: Path, **kwargs):
    return run_dbt_build(
        db, target_path=tmp_path / "target", log_path=tmp_path / "logs", **kwargs
    )


@pytest.fixture
def build_db(tmp_path: Path) -> Path:
    return make_build_db(tmp_path / "build.duckdb")


def test_build_creates_the_marts_contract(tmp_path, build_db, monkeypatch):
    # An Airflow task runs from an arbitrary working directory.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    result = build(tmp_path, build_db)

    assert result.success, result.summary()
    assert result.failed_nodes == []
    tests = [n for n in result.nodes if n.resource_type == "test"]
    assert len(tests) >= 30 and all(n.status == "pass" for n in tests)
    assert (tmp_path / "target" / "manifest.json").exists()
    assert not (elsewhere / "target").exists() and not (elsewhere / "logs").exists()

    # dbt released the file: a writer can open it again in this process.
    con = duckdb.connect(str(build_db))
    try:
        objects = set(con.sql(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall())  # fmt: skip
        for table in CONTRACT:
            assert ("marts", table, "BASE TABLE") in objects
        assert ("staging", "stg_raw__documents", "VIEW") in objects
        assert not any(schema.startswith("main_") for schema, _, _ in objects)

        for table, columns in CONTRACT.items():
            described = {
                r[0]: r[1] for r in con.sql(f"describe marts.{table}").fetchall()
            }
            for column, dtype in columns.items():
                assert described.get(column) == dtype, (
                    table,
                    column,
                    described.get(column),
                )

        targets = con.sql(
            "select target_id, indicator, value, unit, comparator, target_year, evidence "
            "from marts.fct_targets order by target_id"
        ).fetchall()
        # Only the current extractor version (extract-2.0) reaches the facts.
        assert [t[0] for t in targets] == ["t-new-1", "t-new-2"]
        assert targets[0][1:6] == ("全社会研发经费投入", 360.0, "亿元", "=", 2025)
        assert "360亿元" in targets[0][6]

        events = dict(
            con.sql(
                "select event_id, (event_date, date_precision) from marts.fct_events"
            ).fetchall()
        )
        assert events == {
            "e-new-1": (date(2021, 6, 1), "month"),  # 2021-06 -> first day of the month
            "e-new-2": (date(2022, 1, 5), "day"),
        }

        docs = {r[0]: r[1:] for r in con.sql(
            "select document_id, title, region, publish_date, target_count, event_count "
            "from marts.dim_documents"
        ).fetchall()}  # fmt: skip
        assert docs[DOC_A] == (
            "泉州市“十四五”科技创新发展规划",
            "泉州",
            date(2021, 6, 1),
            2,
            1,
        )
        assert docs[DOC_B][3:] == (0, 1)
    finally:
        con.close()

    # Views do not name the build file's catalog, so a published copy works.
    published = tmp_path / "published.duckdb"
    shutil.copy(build_db, published)
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert (
            con.sql("select count(*) from staging.stg_raw__documents").fetchone()[0]
            == 2
        )
        assert (
            con.sql(
                "select count(*) from intermediate.int_target_mentions__current"
            ).fetchone()[0]
            == 2
        )
    finally:
        con.close()


def test_bad_comparator_fails_the_accepted_values_test(tmp_path, build_db):
    execute(
        build_db,
        "update raw.target_mentions set comparator = 'xx' where mention_id = 't-new-2'",
    )

    with pytest.raises(DbtBuildError) as caught:
        build(tmp_path, build_db)

    result = caught.value.result
    assert not result.success
    failed = [n for n in result.nodes if n.failed]
    assert [n.name for n in failed] == result.failed_nodes
    assert len(failed) == 1 and failed[0].name.startswith(
        "accepted_values_fct_targets_comparator"
    )
    # The offending row is identified, in the result and in the error message.
    assert failed[0].examples[0]["target_id"] == "t-new-2"
    assert failed[0].examples[0]["comparator"] == "xx"
    assert "t-new-2" in str(caught.value)
    duckdb.connect(str(build_db)).close()  # not left locked after a failure


def test_orphan_and_unparseable_event_fail_with_rows(tmp_path, build_db):
    execute(
        build_db,
        "insert into raw.extractions values ('ffffffffffffffff', 'extract-2.0', 0, 1, ?)",
        [NEW],
    )
    execute(
        build_db,
        "insert into raw.event_mentions values ('e-orphan', 'ffffffffffffffff', 'extract-2.0', "
        "'2022-13', 'month', 'meeting', '无主会议', null, '无主会议召开。', 0, 7, ?)",
        [NEW],
    )

    result = build(tmp_path, build_db, raise_on_failure=False)

    assert not result.success
    failed = {name.split("__")[0] for name in result.failed_nodes}
    assert "relationships_fct_events_document_id" in failed
    assert "not_null_fct_events_event_date" in failed
    relationship = next(
        n for n in result.nodes if n.name.startswith("relationships_fct_events")
    )
    assert relationship.examples[0]["event_id"] == "e-orphan"
    assert any("e-orphan" in m for m in result.messages)


def test_extraction_without_mentions_retires_older_version(tmp_path, build_db):
    execute(
        build_db,
        "insert into raw.extractions values (?, 'extract-3.0', 0, 0, now())",
        [DOC_A],
    )

    build(tmp_path, build_db)

    con = duckdb.connect(str(build_db), read_only=True)
    try:
        assert con.sql(
            f"select count(*) from marts.fct_targets where document_id = '{DOC_A}'"
        ).fetchone() == (0,)
        assert con.sql(
            f"select count(*) from marts.fct_events where document_id = '{DOC_A}'"
        ).fetchone() == (0,)
        assert con.sql(
            f"select mention_extractor_version from marts.dim_documents where document_id = '{DOC_A}'"
        ).fetchone() == ("extract-3.0",)
    finally:
        con.close()


def test_var_pins_an_extractor_version(tmp_path, build_db):
    build(tmp_path, build_db, dbt_vars={"current_extractor_version": "extract-1.0"})

    con = duckdb.connect(str(build_db), read_only=True)
    try:
        rows = con.sql("select target_id, value from marts.fct_targets").fetchall()
    finally:
        con.close()
    assert rows == [("t-old-1", 36.0)]


def test_missing_build_db_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="build database not found"):
        run_dbt_build(tmp_path / "absent.duckdb")
