"""The seven analyst questions (docs/queries/*.sql) answered on real pipeline runs.

Each corpus goes through the whole pipeline (``ingest.pipeline.run_all``:
ingest, extract, dbt build, Great Expectations, publish), then every query
runs read-only against the published file. The analyst fixture
(corpus/analyst_fixture) was written with known answers
(corpus/analyst_fixture.expected.json): a target revision, a target with a
later reported value, a city stricter and a county looser than the province,
and one signing reported by two articles. The sample corpus is checked for
the facts its documents state.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import duckdb
import pytest

from ingest.pipeline import run_all

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "docs" / "queries"
FIXTURE = ROOT / "corpus" / "analyst_fixture"
EXPECTED = json.loads((ROOT / "corpus" / "analyst_fixture.expected.json").read_text(encoding="utf-8"))
SAMPLE = ROOT / "corpus" / "sample"
QUERY_NAMES = [
    "q1_targets_due_2025",
    "q2_target_progress",
    "q3_target_revisions",
    "q4_stricter_or_looser_than_province",
    "q5_quanzhou_month_timeline",
    "q6_events_with_mentions",
    "q7_load_history",
]


def query_sql(name: str, month_start: str | None = None) -> str:
    sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    if month_start:
        assert "date '2023-05-01' as month_start" in sql
        sql = sql.replace("date '2023-05-01' as month_start", f"date '{month_start}' as month_start")
    return sql


def run_query(warehouse: Path, name: str, **params) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(query_sql(name, **params))
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]
    finally:
        con.close()


def normal(value):
    """Comparable form: dates as ISO text, numbers as floats rounded to 0.01, NaN as None."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if math.isnan(value) else round(float(value), 2)
    return value


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("analyst") / "policy.duckdb"
    summary = run_all(warehouse, corpus_dir=FIXTURE)
    assert summary["validate"]["checks"] > 0
    return warehouse


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("sample") / "policy.duckdb"
    run_all(warehouse, corpus_dir=SAMPLE)
    return warehouse


def test_every_question_has_a_query_file():
    assert sorted(p.stem for p in QUERIES.glob("*.sql")) == QUERY_NAMES
    assert sorted(EXPECTED["queries"]) == QUERY_NAMES


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_fixture_answers(fixture_warehouse, name):
    spec = EXPECTED["queries"][name]
    rows = run_query(fixture_warehouse, name, **spec.get("params", {}))
    columns = spec["columns"]
    if name == "q7_load_history":
        got = [
            [r["outcome"], r["source_file"], None if r["reason"] is None else r["reason"]]
            for r in rows
        ]
        expected = spec["rows"]
        assert [g[:2] for g in got] == [e[:2] for e in expected]
        for g, e in zip(got, expected):
            assert (g[2] is None) == (e[2] is None), g
            if e[2] is not None:
                assert g[2].startswith(e[2]), g
        return
    got = [[normal(r[c]) for c in columns] for r in rows]
    assert got == [[normal(v) for v in row] for row in spec["rows"]]


def test_fixture_model_details(fixture_warehouse):
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    try:
        # One event, two mentions, amounts counted once.
        events = con.execute(
            "select event_id, mention_count, document_count from marts.fct_events where event_type = 'signing'"
        ).fetchall()
        assert len(events) == 1 and events[0][1:] == (2, 2)
        mentions = con.execute(
            "select count(*), count(distinct document_id), sum(is_primary::int) from marts.fct_event_mentions "
            "where event_id = ?",
            [events[0][0]],
        ).fetchone()
        assert mentions == (2, 2, 1)
        # 全社会研发投入 and 全社会研发经费投入 are one canonical indicator.
        assert con.execute(
            "select count(distinct indicator), count(distinct indicator_id) from marts.fct_targets "
            "where indicator in ('全社会研发投入', '全社会研发经费投入')"
        ).fetchone() == (2, 1)
        # 泉州 / 泉州市 / Quanzhou resolve to one division; 晋江 lies in it.
        assert con.execute(
            "select distinct region_code from marts.fct_targets where region in ('泉州', '泉州市')"
        ).fetchall() == [("350500",)]
        assert con.execute(
            "select region_path, city_code from marts.dim_regions where region_code = '350582'"
        ).fetchone() == ("福建省 / 泉州市 / 晋江市", "350500")
        kinds = dict(con.execute("select document_kind, count(*) from marts.dim_documents group by 1").fetchall())
        assert kinds == {"plan": 4, "news": 3}
        # 责任单位 of the Quanzhou plans: 市科技局 named by both, one organization.
        assert con.execute(
            "select document_count from marts.dim_organizations "
            "where organization_name = '市科技局' and region_code = '350500'"
        ).fetchone() == (2,)
    finally:
        con.close()


def test_region_variants_resolve_to_one_division(fixture_warehouse):
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    try:
        rows = con.execute(
            "select region_code, region_level, province_code from marts.dim_regions "
            "where list_contains(string_split(name_variants, ' | '), 'quanzhou') "
            "and list_contains(string_split(name_variants, ' | '), '泉州') "
            "and list_contains(string_split(name_variants, ' | '), '泉州市')"
        ).fetchall()
        assert rows == [("350500", "city", "350000")]
        levels = dict(con.execute("select region_level, count(*) from marts.dim_regions group by 1").fetchall())
        assert levels["province"] == 34 and levels["city"] > 300 and levels["county"] > 2800
    finally:
        con.close()


def test_sample_answers(sample_warehouse):
    q1 = run_query(sample_warehouse, "q1_targets_due_2025")
    q1_keys = {(r["region"], r["indicator"], r["value"], r["unit"]) for r in q1}
    assert ("泉州市", "全社会研发经费投入", 360.0, "亿元") in q1_keys
    assert ("泉州市", "高新技术企业", 3500.0, "家") in q1_keys
    assert all(r["theme"] for r in q1)

    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        targets = con.execute("select count(*) from marts.fct_targets").fetchone()[0]
    finally:
        con.close()
    q2 = run_query(sample_warehouse, "q2_target_progress")
    assert len(q2) == targets
    # No sample document reports a figure of a targeted indicator for the same region.
    assert {r["status"] for r in q2} == {"unknown"}

    # No sample document revises another's target, and none is a province's plan.
    assert run_query(sample_warehouse, "q3_target_revisions") == []
    assert run_query(sample_warehouse, "q4_stricter_or_looser_than_province") == []

    q5 = run_query(sample_warehouse, "q5_quanzhou_month_timeline", month_start="2022-01-01")
    assert ("launch", dt.date(2022, 1, 5)) in {(r["event_type"], r["event_date"]) for r in q5}
    assert all(r["document_titles"] for r in q5)

    # Each sample event is reported by one article only.
    assert run_query(sample_warehouse, "q6_events_with_mentions") == []

    q7 = run_query(sample_warehouse, "q7_load_history")
    assert sorted(r["source_file"] for r in q7) == sorted(p.name for p in SAMPLE.iterdir())
    assert {r["outcome"] for r in q7} == {"loaded"}


def test_q4_compares_a_province_amount_written_in_two_units_once(tmp_path):
    # The province sets one per-capita target in two documents, in 万元 and in
    # 元; 12.3 × 0.0001 and 123000 × 0.00000001 differ in floating point, so
    # unrounded canonical values would make two province values of one.
    documents = {
        "fujian_plan": ("福建省人民政府", "2021-03-01", "到2025年，全省人均地区生产总值达到12.3万元。"),
        "fujian_notice": ("福建省人民政府办公厅", "2021-06-01", "到2025年，全省人均地区生产总值达到123000元。"),
        "quanzhou_plan": ("泉州市人民政府", "2021-04-01", "到2025年，全市人均地区生产总值达到13万元。"),
    }
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (publisher, published, sentence) in documents.items():
        title = f"{publisher}关于印发经济发展规划的通知"
        (corpus / f"{name}.txt").write_text(f"{title}\n{publisher}\n{published}\n{sentence}\n", encoding="utf-8")
        meta = {"title": title, "publish_date": published, "publisher": publisher,
                "region": "泉州" if name.startswith("quanzhou") else "福建"}  # fmt: skip
        (corpus / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    warehouse = tmp_path / "policy.duckdb"
    run_all(warehouse, corpus_dir=corpus)

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        province = con.execute(
            "select unit, value_canonical from marts.fct_targets where region_code = '350000' order by unit"
        ).fetchall()
    finally:
        con.close()
    assert [unit for unit, _ in province] == ["万元", "元"]
    assert province[0][1] == province[1][1]
    rows = run_query(warehouse, "q4_stricter_or_looser_than_province")
    assert [
        (r["region_name"], r["local_value"], r["unit"], r["province_value"], r["province_unit"], r["compared_with_province"])
        for r in rows
    ] == [("泉州市", 13.0, "万元", 12.3, "万元", "stricter")]
