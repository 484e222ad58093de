"""DuckLake storage (ingest/storage.py), for real: the CLI on a local-catalog lake
and on a Postgres catalog, a bad batch, and one DAG run onto a lake.

The published lake is read back the way an analyst would: a plain DuckDB
connection that loads the ducklake extension and ATTACHes the lake read-only,
without being told where its data lives (the catalog knows).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import psycopg2
import pytest

from ingest import storage
from tests.conftest import PROJECT_DIR, SAMPLE_CORPUS

CLI = str(Path(sys.executable).with_name("policy-warehouse"))
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
LAKE_SETTINGS = (storage.CATALOG_ENV, storage.DATA_PATH_ENV)
# The load history grows by one row per input a run reads, re-runs included, by design.
OPERATIONAL_MARTS = {"fct_document_loads"}


@pytest.fixture(autouse=True)
def _local_catalog(monkeypatch):
    """A developer's own DuckLake settings must not redirect these tests."""
    for name in LAKE_SETTINGS:
        monkeypatch.delenv(name, raising=False)


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in LAKE_SETTINGS}
    return {**env, **extra}


def run_cli(corpus: Path, warehouse: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLI, "run", "--corpus", str(corpus), "--warehouse", str(warehouse)],
        capture_output=True, text=True, env=env or _env(), timeout=600, check=False,
    )  # fmt: skip


def _detail(result: subprocess.CompletedProcess) -> str:
    return result.stdout[-3000:] + result.stderr[-3000:]


def open_lake(attach_path: str, **options: str) -> duckdb.DuckDBPyConnection:
    """A plain DuckDB session with the lake attached read-only as ``policy`` (no project code)."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for name in ("ducklake", "postgres_scanner"):
        con.execute(f"LOAD '{storage.extension_file(name)}'")
    extra = "".join(f", {key} '{value}'" for key, value in options.items())
    con.execute(f"ATTACH '{attach_path}' AS policy (READ_ONLY{extra})")
    con.execute("USE policy")
    return con


def mart_state(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent checksum of every mart, in the connection's database."""
    tables = [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = 'marts'"
    ).fetchall()]  # fmt: skip
    return {t: con.execute(f"select count(*), coalesce(sum(hash(m)::hugeint), 0) from marts.{t} m").fetchone() for t in tables}


def counts(state: dict[str, tuple[int, int]]) -> dict[str, int]:
    return {table: count for table, (count, _) in state.items()}


@pytest.fixture(scope="module")
def file_counts(tmp_path_factory) -> dict[str, int]:
    """Mart row counts of the same corpus published as a DuckDB file: what the lake must match."""
    warehouse = tmp_path_factory.mktemp("file") / "policy.duckdb"
    result = run_cli(SAMPLE_CORPUS, warehouse)
    assert result.returncode == 0, _detail(result)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return counts(mart_state(con))
    finally:
        con.close()


@pytest.fixture(scope="module")
def published_lake(tmp_path_factory) -> tuple[Path, Path]:
    """The sample corpus (a copy) published once to a local-catalog lake: (corpus, warehouse)."""
    folder = tmp_path_factory.mktemp("local_lake")
    corpus, warehouse = folder / "corpus", folder / "lake" / "policy.ducklake"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    result = run_cli(corpus, warehouse)
    assert result.returncode == 0, _detail(result)
    return corpus, warehouse


def test_pipeline_publishes_a_local_catalog_lake(published_lake, file_counts):
    corpus, warehouse = published_lake
    folder = warehouse.parent
    assert warehouse.is_file()  # the local catalog: a DuckDB file holding metadata only
    assert (folder / "policy.build.ducklake").is_file()
    assert (folder / "dashboard.html").is_file()

    con = open_lake(f"ducklake:{warehouse}")
    try:
        state = mart_state(con)
        assert counts(state) == file_counts
        assert state["dim_documents"][0] == 5
        # The whole publish is one snapshot: every table arrived in it together.
        changes = con.execute("select changes from policy.snapshots() order by snapshot_id desc limit 1").fetchone()[0]
        tables = {f"{s}.{t}" for s, t in storage.table_names(con, "policy")}
        assert {"raw.documents", "marts.fct_targets", "audit.validation_results", "seeds.regions"} <= tables
        assert set(changes["tables_created"]) == tables
        # The data is Parquet files under the data path; none of it is inlined in the catalog.
        data_path = folder / "policy.ducklake.files"
        files = [Path(f) for (f,) in con.execute(
            "select data_file from ducklake_list_files('policy', 'dim_documents', schema => 'marts')"
        ).fetchall()]  # fmt: skip
        assert files and all(f.suffix == ".parquet" and f.is_relative_to(data_path) and f.is_file() for f in files)
        in_files = con.execute("select count(*) from read_parquet(?)", [[str(f) for f in files]]).fetchone()[0]
        assert in_files == state["dim_documents"][0]
        assert {p.suffix for p in data_path.rglob("*") if p.is_file()} == {".parquet"}
        checks = con.execute(
            "select count(*), count(*) filter (where not success and severity = 'critical') "
            "from audit.validation_results"
        ).fetchone()
        assert checks[0] > 0 and checks[1] == 0
        documents = con.execute("select count(*) from raw.documents").fetchone()[0]
    finally:
        con.close()

    # A second run over the same corpus adds nothing: every input is unchanged.
    second = run_cli(corpus, warehouse)
    assert second.returncode == 0, _detail(second)
    con = open_lake(f"ducklake:{warehouse}")
    try:
        after = mart_state(con)
        assert {t: v for t, v in after.items() if t not in OPERATIONAL_MARTS} == {
            t: v for t, v in state.items() if t not in OPERATIONAL_MARTS
        }
        assert con.execute("select count(*) from raw.documents").fetchone()[0] == documents
        # Nothing was read again: the run's plan counts the five files unchanged, the log has no row of its.
        last_run = con.execute(
            "select run_id, unchanged_files from raw.loaded_plans order by loaded_at desc limit 1"
        ).fetchone()
        assert last_run[1] == 5
        assert con.execute("select count(*) from raw.ingest_log where run_id = ?", [last_run[0]]).fetchone()[0] == 0
    finally:
        con.close()


def test_a_bad_batch_leaves_the_published_lake_unchanged(published_lake, tmp_path):
    _, warehouse = published_lake
    con = open_lake(f"ducklake:{warehouse}")
    try:
        before = (mart_state(con), con.execute("select max(snapshot_id) from policy.snapshots()").fetchone()[0])
    finally:
        con.close()

    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "future.txt").write_text(
        "泉州市科技局发布通知，到2030年全市高新技术企业达到5000家，研发投入强度达到3%。", encoding="utf-8"
    )
    (corpus / "future.meta.json").write_text(json.dumps({"publish_date": "2099-01-01"}), encoding="utf-8")
    blocked = run_cli(corpus, warehouse)
    assert blocked.returncode == 2, _detail(blocked)
    assert "publish_date" in blocked.stderr

    con = open_lake(f"ducklake:{warehouse}")
    try:
        after = (mart_state(con), con.execute("select max(snapshot_id) from policy.snapshots()").fetchone()[0])
    finally:
        con.close()
    assert after == before  # no new snapshot, the same marts
    # The batch waits in the build lake's quarantine.
    listing = subprocess.run(
        [CLI, "quarantine", "--warehouse", str(warehouse)], capture_output=True, text=True, env=_env(), check=True
    )
    assert "1 document(s)" in listing.stdout


@pytest.fixture
def postgres_database():
    name = f"policy_lake_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f"create database {name}")
    try:
        yield name
    finally:
        admin.cursor().execute(f"drop database if exists {name} with (force)")
        admin.close()


READER = """
import json, sys
import duckdb
attach, ducklake, postgres = sys.argv[1:4]
con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
con.execute(f"LOAD '{ducklake}'")
con.execute(f"LOAD '{postgres}'")
con.execute(f"ATTACH '{attach}' AS policy (READ_ONLY, METADATA_SCHEMA 'policy')")
tables = [t for (t,) in con.execute(
    "select table_name from duckdb_tables() where database_name = 'policy' and schema_name = 'marts'").fetchall()]
print(json.dumps({t: con.execute(f"select count(*) from policy.marts.{t}").fetchone()[0] for t in tables}))
"""


def test_pipeline_on_a_postgres_catalog(tmp_path, postgres_database, file_counts):
    conninfo = f"dbname={postgres_database} host=127.0.0.1 user=postgres"
    warehouse = tmp_path / "shared" / "policy.ducklake"
    result = run_cli(SAMPLE_CORPUS, warehouse, _env(**{storage.CATALOG_ENV: f"postgres:{conninfo}"}))
    assert result.returncode == 0, _detail(result)
    assert not warehouse.exists()  # no local catalog: the metadata is in Postgres

    with psycopg2.connect(conninfo) as pg, pg.cursor() as cur:
        cur.execute(
            "select table_schema, count(*) from information_schema.tables "
            "where table_name like 'ducklake%' group by 1 order by 1"
        )
        schemas = [schema for schema, _ in cur.fetchall()]
    assert schemas == ["policy", "policy_build"]  # the published lake and the build lake, side by side

    # Another process, knowing only the catalog, reads the published marts.
    reader = subprocess.run(
        [sys.executable, "-c", READER, f"ducklake:postgres:{conninfo}",
         str(storage.extension_file("ducklake")), str(storage.extension_file("postgres_scanner"))],
        capture_output=True, text=True, env=_env(), timeout=120, check=False,
    )  # fmt: skip
    assert reader.returncode == 0, reader.stderr[-3000:]
    assert json.loads(reader.stdout) == file_counts
    data_path = tmp_path / "shared" / "policy.ducklake.files"
    assert {p.suffix for p in data_path.rglob("*") if p.is_file()} == {".parquet"}


def test_dag_publishes_a_lake(tmp_path, file_counts):
    home = tmp_path / "airflow_home"
    env = _env(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(PROJECT_DIR / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        POLICY_TASK_RETRIES="0",
    )
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300)
    warehouse = tmp_path / "published" / "policy.ducklake"
    conf = json.dumps({"corpus_dir": str(SAMPLE_CORPUS), "warehouse": str(warehouse)})
    result = subprocess.run(
        [AIRFLOW, "dags", "test", "policy_pipeline", "-c", conf],
        check=False, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, _detail(result)
    con = open_lake(f"ducklake:{warehouse}")
    try:
        assert counts(mart_state(con)) == file_counts
    finally:
        con.close()
    assert (tmp_path / "published" / "dashboard.html").is_file()
