"""Real Airflow DAG runs (`airflow dags test`) of the whole pipeline on the sample corpus.

Each run ingests, extracts, builds the dbt project, validates with Great
Expectations and publishes; these tests look at what was published.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_DIR, SAMPLE_CORPUS
from tests.html_pages import NEWS_PAGE

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow_home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "POLICY_TASK_RETRIES": "0",  # a failure should fail the test run at once
    }
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True)
    return env


def run_dag(env: dict, corpus: Path, warehouse: Path, urls: list[str] = ()) -> subprocess.CompletedProcess:
    conf = json.dumps({"corpus_dir": str(corpus), "warehouse": str(warehouse), "urls": list(urls)})
    return subprocess.run(
        [AIRFLOW, "dags", "test", "policy_pipeline", "-c", conf],
        check=False, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def mart_fingerprint(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            table: con.execute(
                f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from marts.{table} t"
            ).fetchone()
            for table in ("dim_documents", "fct_targets", "fct_events")
        }
    finally:
        con.close()


def test_dag_runs_end_to_end_and_is_idempotent_under_a_reader(airflow_env, tmp_path, loopback_site):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    warehouse = tmp_path / "published" / "policy.duckdb"

    first = run_dag(airflow_env, corpus, warehouse)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    assert warehouse.is_file()

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        docs = con.execute("select count(*) from marts.dim_documents").fetchone()[0]
        loaded = con.execute("select count(*) from raw.ingest_log where outcome = 'loaded'").fetchone()[0]
        rnd = con.execute(
            "select value, unit, target_year from marts.fct_targets where indicator like '%研发经费投入%' "
            "order by target_year"
        ).fetchall()
        events = con.execute("select count(*) from marts.fct_events").fetchone()[0]
        failed_critical = con.execute(
            "select count(*) from audit.validation_results where not success and severity = 'critical'"
        ).fetchone()[0]
    finally:
        con.close()
    assert (docs, loaded) == (5, 5)
    assert (360.0, "亿元", 2025) in rnd
    assert events > 0
    assert failed_critical == 0
    before = mart_fingerprint(warehouse)

    # A BI tool keeps the published file open (read-only) while the DAG runs again
    # over the same corpus plus one new file and one page fetched over HTTP.
    page = loopback_site.add("/news/jinjiang.html", NEWS_PAGE)
    web_env = {**airflow_env, "POLICY_ALLOW_PRIVATE_ADDRESSES": "1"}  # our own loopback server
    (corpus / "new.html").write_text(
        "<html><head><title>晋江市召开2024年科技创新大会</title><meta name='PubDate' content='2024-03-02'></head>"
        "<body><article><p>3月1日，晋江市召开2024年科技创新大会，现场签约项目12个，总金额86亿元。</p>"
        "<p>会议提出，到2026年，全市高新技术企业达到1500家。</p></article></body></html>",
        encoding="utf-8",
    )
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        second = run_dag(web_env, corpus, warehouse, urls=[page])
        assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
        # The open reader still sees the data as it was when it opened the file.
        assert reader.execute("select count(*) from marts.dim_documents").fetchone()[0] == 5
    finally:
        reader.close()
    after = mart_fingerprint(warehouse)
    assert after["dim_documents"][0] == 7
    assert after["fct_targets"][0] > before["fct_targets"][0]

    # Re-running over unchanged input changes nothing in the marts, and every
    # input is accounted for: in the ingest log, or counted unchanged in its run's plan.
    third = run_dag(web_env, corpus, warehouse, urls=[page])
    assert third.returncode == 0, third.stdout[-4000:] + third.stderr[-4000:]
    assert mart_fingerprint(warehouse) == after
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        outcomes = dict(con.execute("select outcome, count(*) from raw.ingest_log group by 1").fetchall())
        unchanged = [row[0] for row in con.execute("select unchanged_files from raw.loaded_plans order by loaded_at").fetchall()]
        web_title = con.execute("select title from marts.dim_documents where source_uri = ?", [page]).fetchone()
    finally:
        con.close()
    # Runs 2 and 3 found 5 and then 6 folder files unchanged (counted in their
    # plans, not read); run 3 fetched the page again, a duplicate.
    assert outcomes == {"loaded": 7, "duplicate": 1}
    assert unchanged == [0, 5, 6]
    assert web_title == ("晋江召开科技创新大会 签约项目23个",)


def test_a_failed_check_blocks_the_publish(airflow_env, tmp_path):
    """A document dated in the future fails a critical expectation: the DAG fails, nothing is published."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE_CORPUS / "003_93cb18d97bc2de9a.txt", corpus)
    (corpus / "future.txt").write_text(
        "泉州市科技局发布通知，到2030年全市高新技术企业达到5000家，研发投入强度达到3%。", encoding="utf-8"
    )
    (corpus / "future.meta.json").write_text(json.dumps({"publish_date": "2099-01-01"}), encoding="utf-8")
    warehouse = tmp_path / "published" / "policy.duckdb"

    result = run_dag(airflow_env, corpus, warehouse)
    assert result.returncode != 0
    assert "publish_date" in result.stdout + result.stderr
    assert not warehouse.exists()
