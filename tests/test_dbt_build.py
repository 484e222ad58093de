"""Real `dbt build` of dbt_project/ on a temporary DuckDB build file."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from raw_fixtures import DOC_A, DOC_B, NEW, execute, make_build_db

from ingest.transform import DBT_PROJECT_DIR, DbtBuildError, run_dbt_build

CONTRACT = {
    "dim_documents": {
        "document_id": "VARCHAR", "source_uri": "VARCHAR", "url": "VARCHAR",
        "title": "VARCHAR", "publish_date": "DATE", "region": "VARCHAR",
        "indicator_value_count": "BIGINT",
    },
    "fct_targets": {
        "target_id": "VARCHAR", "document_id": "VARCHAR", "indicator": "VARCHAR",
        "value": "DOUBLE", "unit": "VARCHAR", "comparator": "VARCHAR",
        "target_year": "INTEGER", "region": "VARCHAR", "issuer": "VARCHAR",
        "evidence": "VARCHAR",
    },
    "fct_events": {
        "event_id": "VARCHAR", "document_id": "VARCHAR", "event_date": "DATE",
        "date_precision": "VARCHAR", "event_type": "VARCHAR", "name": "VARCHAR",
        "measure_count": "BIGINT", "evidence": "VARCHAR",
    },
    "fct_indicator_values": {
        "indicator_value_id": "VARCHAR", "document_id": "VARCHAR", "indicator": "VARCHAR",
        "value": "DOUBLE", "unit": "VARCHAR", "period_start": "DATE", "period_text": "VARCHAR",
        "period_precision": "VARCHAR", "value_kind": "VARCHAR", "region": "VARCHAR",
        "evidence": "VARCHAR", "evidence_start": "INTEGER", "evidence_end": "INTEGER",
        "extractor_version": "VARCHAR", "extracted_at": "TIMESTAMP",
    },
    "fct_event_measures": {
        "event_measure_id": "VARCHAR", "event_id": "VARCHAR", "document_id": "VARCHAR",
        "measure": "VARCHAR", "value": "DOUBLE", "unit": "VARCHAR",
    },
}  # fmt: skip


def contract_columns() -> dict[str, dict[str, str]]:
    """Every marts model's declared columns and types, from _marts__models.yml."""
    spec = yaml.safe_load(
        (DBT_PROJECT_DIR / "models/marts/_marts__models.yml").read_text(
            encoding="utf-8"
        )
    )
    return {
        m["name"]: {c["name"]: c["data_type"].upper() for c in m["columns"]}
        for m in spec["models"]
    }


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
    # A manifest an older build left there, which builds no longer update.
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text("{}", encoding="utf-8")

    result = build(tmp_path, build_db)

    assert result.success, result.summary()
    assert result.failed_nodes == []
    tests = [n for n in result.nodes if n.resource_type == "test"]
    assert len(tests) >= 30 and all(n.status == "pass" for n in tests)
    run_results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))
    assert {r["unique_id"] for r in run_results["results"]} == {n.unique_id for n in result.nodes}
    assert not (tmp_path / "target" / "manifest.json").exists()
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

        declared = contract_columns()
        assert set(declared) == set(CONTRACT)
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
            # The table has exactly the contract's columns, each described.
            assert described == declared[table], table

        targets = con.sql(
            "select target_id, indicator, value, unit, comparator, target_year, evidence "
            "from marts.fct_targets order by target_id"
        ).fetchall()
        # Only the current extractor version (extract-2.0) reaches the facts.
        assert [t[0] for t in targets] == ["t-new-1", "t-new-2"]
        assert targets[0][1:6] == ("全社会研发经费投入", 360.0, "亿元", "=", 2025)
        assert "360亿元" in targets[0][6]

        # No region or issuer in the text: the document's region and publisher.
        assert con.sql(
            "select distinct region, issuer from marts.fct_targets"
        ).fetchall() == [("泉州", "泉州市人民政府")]

        events = dict(
            con.sql(
                "select event_id, (event_date, date_precision, measure_count) from marts.fct_events"
            ).fetchall()
        )
        # 2021-06 -> the first day of the month; e-new-3 states two amounts.
        assert events == {
            "e-new-1": (date(2021, 6, 1), "month", 0),
            "e-new-2": (date(2022, 1, 5), "day", 0),
            "e-new-3": (date(2022, 1, 5), "day", 2),
        }
        measures = con.sql(
            "select event_measure_id, event_id, document_id, measure, value, unit "
            "from marts.fct_event_measures order by event_measure_id"
        ).fetchall()
        assert measures == [
            ("e-new-3-0", "e-new-3", DOC_B, "签约项目", 53.0, "个"),
            ("e-new-3-1", "e-new-3", DOC_B, "总金额", 352.55, "亿元"),
        ]

        values = {r[0]: r[1:] for r in con.sql(
            "select indicator_value_id, indicator, value, unit, period_start, period_text, "
            "period_precision, value_kind, region from marts.fct_indicator_values"
        ).fetchall()}  # fmt: skip
        # Only the current extractor version (v-old-1 is extract-1.0).
        assert set(values) == {"v-new-1", "v-new-2", "v-new-3", "v-new-4"}
        assert values["v-new-2"] == (
            "地区生产总值", 2986.41, "亿元", date(2021, 1, 1), "2021", "year", "level", "晋江"
        )  # fmt: skip
        assert values["v-new-3"][1:] == (
            8.5, "%", date(2021, 1, 1), "2021", "year", "change", "晋江"
        )  # fmt: skip
        # 2021-11 -> first day of the month; no region in the text -> the document's.
        assert values["v-new-4"][3:] == (
            date(2021, 11, 1), "2021-11", "month", "change", "泉州"
        )  # fmt: skip
        evidence = con.sql(
            "select d.clean_text[f.evidence_start + 1 : f.evidence_end] = f.evidence "
            "from marts.fct_indicator_values f join raw.documents d using (document_id)"
        ).fetchall()
        assert evidence == [(True,)] * 4

        docs = {r[0]: r[1:] for r in con.sql(
            "select document_id, title, region, publish_date, target_count, event_count, "
            "indicator_value_count from marts.dim_documents"
        ).fetchall()}  # fmt: skip
        assert docs[DOC_A] == (
            "泉州市“十四五”科技创新发展规划",
            "泉州",
            date(2021, 6, 1),
            2,
            1,
            1,
        )
        assert docs[DOC_B][3:] == (0, 2, 3)
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


def test_target_region_and_issuer_from_the_text_win_over_the_document(
    tmp_path, build_db
):
    execute(
        build_db,
        "update raw.target_mentions set region = '泉州高新区', issuer = '泉州市科学技术局' "
        "where mention_id = 't-new-2'",
    )

    build(tmp_path, build_db)

    con = duckdb.connect(str(build_db), read_only=True)
    try:
        rows = con.sql(
            "select target_id, region, issuer from marts.fct_targets order by target_id"
        ).fetchall()
    finally:
        con.close()
    assert rows == [
        ("t-new-1", "泉州", "泉州市人民政府"),  # fell back to the document
        ("t-new-2", "泉州高新区", "泉州市科学技术局"),
    ]


def test_bad_value_kind_fails_the_accepted_values_test(tmp_path, build_db):
    execute(
        build_db,
        "update raw.indicator_value_mentions set value_kind = 'forecast' "
        "where mention_id = 'v-new-3'",
    )

    with pytest.raises(DbtBuildError) as caught:
        build(tmp_path, build_db)

    result = caught.value.result
    failed = [n for n in result.nodes if n.failed]
    assert len(failed) == 1 and failed[0].name.startswith(
        "accepted_values_fct_indicator_values_value_kind"
    )
    assert failed[0].examples[0]["indicator_value_id"] == "v-new-3"
    assert failed[0].examples[0]["value_kind"] == "forecast"
    assert "v-new-3" in str(caught.value)


def _orphan_event(build_db: Path, event_date_text: str) -> None:
    """An event mention of a document that is not in raw.documents."""
    execute(
        build_db,
        "insert into raw.extractions values ('ffffffffffffffff', 'extract-2.0', 0, 1, ?)",
        [NEW],
    )
    execute(
        build_db,
        "insert into raw.event_mentions values ('e-orphan', 'ffffffffffffffff', 'extract-2.0', "
        "?, 'month', 'meeting', '无主会议', null, '无主会议召开。', 0, 7, ?)",
        [event_date_text, NEW],
    )


def test_orphan_event_and_measure_fail_with_rows(tmp_path, build_db):
    _orphan_event(build_db, "2022-12")
    # A measure whose event mention is missing.
    execute(
        build_db,
        "insert into raw.event_measure_mentions values "
        "('e-missing', 0, ?, 'extract-2.0', '签约项目', 12, '个')",
        [DOC_B],
    )

    result = build(tmp_path, build_db, raise_on_failure=False)

    assert not result.success
    failed = {name.split("__")[0] for name in result.failed_nodes}
    assert "relationships_fct_events_document_id" in failed
    assert "relationships_fct_event_measures_event_id" in failed
    measure = next(
        n for n in result.nodes if n.name.startswith("relationships_fct_event_measures")
    )
    assert measure.examples[0]["event_measure_id"] == "e-missing-0"
    relationship = next(
        n for n in result.nodes if n.name.startswith("relationships_fct_events")
    )
    assert relationship.examples[0]["event_id"] == "e-orphan"
    assert any("e-orphan" in m for m in result.messages)


def test_unparseable_event_date_breaks_the_contract_with_rows(tmp_path, build_db):
    # fct_events.event_date is not_null by the model's contract: the model fails
    # and the failure shows the rows that would have broken it.
    _orphan_event(build_db, "2022-13")

    with pytest.raises(DbtBuildError) as caught:
        build(tmp_path, build_db)

    events = caught.value.result.node("fct_events")
    assert events.failed and "event_date" in events.message
    assert events.examples[0]["event_id"] == "e-orphan"
    assert events.examples[0]["event_date"] is None
    assert "e-orphan" in str(caught.value)
    # Nothing is tested or built on the table that was not replaced.
    assert caught.value.result.node("unique_fct_events_event_id").status == "skipped"


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
            f"select count(*) from marts.fct_indicator_values where document_id = '{DOC_A}'"
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
        values = con.sql(
            "select indicator_value_id from marts.fct_indicator_values"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("t-old-1", 36.0)]
    assert values == [("v-old-1",)]


def test_missing_build_db_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="build database not found"):
        run_dbt_build(tmp_path / "absent.duckdb")
