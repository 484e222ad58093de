"""A daily run costs what its new documents cost: incremental dbt marts and checks on the new batch.

Real pipeline steps on the sample corpus: the second run builds the marts
incrementally and checks only the new document, and its marts equal a full
rebuild of the same raw data; a quarantined document leaves the incremental
marts too. A run with nothing new skips the dbt build, but never after a
build that failed, was full of another project, or saw raw change under it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import PROJECT_DIR, SAMPLE_CORPUS

from expectations import ChecksFailed
from ingest.pipeline import (
    DBT_SOURCE_TABLES,
    WarehousePaths,
    extract_pending,
    ingest_folder,
    raw_fingerprint,
    release_batch,
    run_all,
    transform,
    validate,
)
from ingest.transform import DbtBuildError

# The incremental marts (materialized='incremental'), the two read from the
# incremental int_organizations__mentions, and a table built in full each run;
# compared with a full rebuild, and from run to run while raw is the same.
DOCUMENT_MARTS = (
    "fct_targets", "fct_indicator_values", "dim_documents",
    "fct_document_organizations", "dim_organizations", "fct_events",
)  # fmt: skip
# ... and the load history, which every run adds to: compared with a full rebuild only.
MARTS = (*DOCUMENT_MARTS, "fct_document_loads")


def _run(build: Path, corpus: Path) -> dict:
    ingested = ingest_folder(build, corpus).as_dict()
    extract_pending(build)
    built = transform(build)
    return {"ingest": ingested, "transform": built, "validate": validate(build, ingested["run_id"])}


def _add_document_that_fails_the_checks(corpus: Path) -> None:
    """future.txt, published in 2099: its batch fails a critical check and is quarantined."""
    (corpus / "future.txt").write_text(
        "泉州市科技局发布通知，到2030年全市高新技术企业达到5000家，研发投入强度达到3%。", encoding="utf-8"
    )
    (corpus / "future.meta.json").write_text(json.dumps({"publish_date": "2099-01-01"}), encoding="utf-8")


def _marts(db: Path, names: tuple[str, ...] = MARTS) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: sorted(con.execute(f"select * from marts.{name}").fetchall(), key=repr) for name in names}
    finally:
        con.close()


def _full_rebuild(build: Path, tmp_path: Path) -> dict[str, list[tuple]]:
    copy = tmp_path / "full_rebuild.duckdb"
    shutil.copy(build, copy)
    assert transform(copy, full_refresh=True)["mode"] == "full"
    return _marts(copy)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(SAMPLE_CORPUS.iterdir())[:3]:
        shutil.copy(path, folder)
    return folder


def test_second_run_is_incremental_and_equals_a_full_build(corpus, tmp_path):
    build = WarehousePaths.for_warehouse(tmp_path / "policy.duckdb").build
    first = _run(build, corpus)
    assert first["transform"]["mode"] == "full"
    assert first["validate"]["documents_checked"] == first["ingest"]["loaded"] > 0

    shutil.copy(PROJECT_DIR / "corpus" / "dev_mixed" / "luoyang_2025_rd_kaimu.txt", corpus)
    second = _run(build, corpus)
    assert second["ingest"]["loaded"] == 1
    assert second["transform"]["mode"] == "incremental"
    assert second["validate"]["documents_checked"] == 1  # only the new document

    assert _marts(build) == _full_rebuild(build, tmp_path)
    incremental = _marts(build, DOCUMENT_MARTS)
    con = duckdb.connect(str(build), read_only=True)
    try:
        new_targets = con.execute(
            "select count(*) from marts.fct_targets t join raw.documents d using (document_id) "
            "where d.source_uri like '%luoyang_2025_rd_kaimu.txt'"
        ).fetchone()[0]  # fmt: skip
        modes = [row[0] for row in con.execute("select mode from audit.dbt_builds order by built_at").fetchall()]
        # The files already read are not read again: counted in the run's plan, not logged one by one.
        logged = con.execute(
            "select count(*) from raw.ingest_log where run_id = ?", [second["ingest"]["run_id"]]
        ).fetchone()[0]
        planned = con.execute(
            "select unchanged_files from raw.loaded_plans where run_id = ?", [second["ingest"]["run_id"]]
        ).fetchall()
    finally:
        con.close()
    assert new_targets > 0
    assert (second["ingest"]["unchanged"], logged, planned) == (3, 1, [(3,)])
    assert modes == ["full", "incremental"]

    # Nothing new: no dbt build, nothing to check but the whole-warehouse
    # reconciliation, marts unchanged.
    third = _run(build, corpus)
    assert (third["ingest"]["unchanged"], third["ingest"]["loaded"], third["ingest"]["duplicate"]) == (4, 0, 0)
    assert third["transform"]["mode"] == "skipped"
    assert third["validate"]["documents_checked"] == 0
    assert _marts(build, DOCUMENT_MARTS) == incremental
    assert _marts(build) == _full_rebuild(build, tmp_path)

    # `policy-warehouse run --full` rebuilds and checks everything, to the same marts.
    full = run_all(tmp_path / "policy.duckdb", corpus_dir=corpus, full=True)
    assert full["transform"]["mode"] == "full"
    assert full["validate"]["documents_checked"] == "all"
    assert _marts(build, DOCUMENT_MARTS) == incremental


def test_a_quarantined_document_leaves_the_incremental_marts(corpus, tmp_path):
    build = WarehousePaths.for_warehouse(tmp_path / "policy.duckdb").build
    _run(build, corpus)
    before = _marts(build, DOCUMENT_MARTS)

    _add_document_that_fails_the_checks(corpus)
    with pytest.raises(ChecksFailed):
        _run(build, corpus)  # the new batch fails; it is quarantined
    con = duckdb.connect(str(build), read_only=True)
    try:
        in_marts = con.execute("select count(*) from marts.fct_targets where evidence like '%5000家%'").fetchone()[0]
    finally:
        con.close()
    assert in_marts > 0  # built before the checks ran

    # The next run (the bad input withdrawn, nothing new) removes the quarantined
    # rows from the incremental marts.
    for path in corpus.glob("future.*"):
        path.unlink()
    _run(build, corpus)
    assert _marts(build, DOCUMENT_MARTS) == before
    assert _marts(build) == _full_rebuild(build, tmp_path)


def _quarantined_run(build: Path, corpus: Path) -> str:
    """A first run, then a second whose batch fails the checks: the quarantined run's id."""
    _run(build, corpus)
    _add_document_that_fails_the_checks(corpus)
    with pytest.raises(ChecksFailed):
        _run(build, corpus)
    con = duckdb.connect(str(build), read_only=True)
    try:
        (run_id,) = con.execute("select pipeline_run_id from audit.quarantined_batches").fetchone()
    finally:
        con.close()
    return run_id


def test_a_released_batch_comes_back_whole(corpus, tmp_path):
    build = WarehousePaths.for_warehouse(tmp_path / "policy.duckdb").build
    run_id = _quarantined_run(build, corpus)
    con = duckdb.connect(str(build), read_only=True)
    try:
        quarantined = {
            table: con.execute(f"select * from quarantine.{table} order by all").fetchall()
            for table in ("documents", "extractions", "target_mentions")
        }
    finally:
        con.close()
    assert all(quarantined.values())

    assert release_batch(build, run_id) == 1

    con = duckdb.connect(str(build), read_only=True)
    try:
        (document_id,) = {row[0] for row in quarantined["documents"]}
        for table, rows in quarantined.items():
            # The document, its extraction and its mentions, as they were: none regenerated.
            back = con.execute(
                f"select * from raw.{table} where document_id = ? order by all", [document_id]
            ).fetchall()
            assert back == rows, table
            assert not con.execute(f"select count(*) from quarantine.{table}").fetchone()[0], table
    finally:
        con.close()
    # Raw is again what the failed run built its marts from: nothing to build.
    assert transform(build)["mode"] == "skipped"
    assert _marts(build) == _full_rebuild(build, tmp_path)


def test_a_batch_released_after_a_build_comes_back_into_the_incremental_marts(corpus, tmp_path):
    build = WarehousePaths.for_warehouse(tmp_path / "policy.duckdb").build
    run_id = _quarantined_run(build, corpus)
    assert transform(build)["mode"] == "incremental"  # the quarantined document leaves the marts
    con = duckdb.connect(str(build), read_only=True)
    try:
        assert not con.execute("select count(*) from marts.fct_targets where evidence like '%5000家%'").fetchone()[0]
    finally:
        con.close()
    assert release_batch(build, run_id) == 1
    # Back in raw with its old extraction time, it comes back into the incremental marts.
    assert transform(build)["mode"] == "incremental"
    assert _marts(build) == _full_rebuild(build, tmp_path)


def test_a_build_that_failed_is_not_skipped_when_raw_is_as_before(corpus, tmp_path):
    """A failed build may leave marts it rebuilt: the next run builds, even if raw is back to the last good build's."""
    build = WarehousePaths.for_warehouse(tmp_path / "policy.duckdb").build
    _run(build, corpus)
    good = _marts(build, DOCUMENT_MARTS)
    con = duckdb.connect(str(build), read_only=True)
    try:
        before = raw_fingerprint(con)
    finally:
        con.close()
    _add_document_that_fails_a_mart_test(build)
    with pytest.raises(DbtBuildError, match="content_format"):
        transform(build)
    con = duckdb.connect(str(build))
    try:
        assert con.execute("select count(*) from marts.dim_documents where content_format = 'pdf'").fetchone()[0] == 1
        assert raw_fingerprint(con) != before
        con.execute("delete from raw.documents where content_format = 'pdf'")
        assert raw_fingerprint(con) == before
        # One value changed, the row count the same: a change too.
        con.execute("update raw.target_mentions set value = value + 1 where mention_id = (select min(mention_id) from raw.target_mentions)")
        assert raw_fingerprint(con) != before
        con.execute("update raw.target_mentions set value = value - 1 where mention_id = (select min(mention_id) from raw.target_mentions)")
        assert raw_fingerprint(con) == before
        unfinished = con.execute(
            "select mode from audit.dbt_builds where elapsed_seconds is null"
        ).fetchall()  # fmt: skip
    finally:
        con.close()
    assert unfinished == [("incremental",)]
    assert transform(build)["mode"] == "incremental"
    assert _marts(build, DOCUMENT_MARTS) == good
    assert transform(build)["mode"] == "skipped"


def _add_copy_of_a_document(build: Path, content_format: str | None = None) -> None:
    """A copy of a document written straight into raw, its id starting with 'x' (ids are hex).

    With ``content_format`` 'pdf', which no test accepts, dim_documents takes it in and its test fails.
    """
    con = duckdb.connect(str(build))
    try:
        con.execute(
            "insert into raw.documents select * replace ("
            "'x' || substr(document_id, 2) as document_id, md5(content_hash) as content_hash, "
            "coalesce(?, content_format) as content_format) from raw.documents order by document_id limit 1",
            [content_format],
        )
    finally:
        con.close()


def _add_document_that_fails_a_mart_test(build: Path) -> None:
    _add_copy_of_a_document(build, "pdf")


def test_a_changed_project_or_an_unfinished_full_build_rebuilds_in_full(corpus, tmp_path, monkeypatch):
    import ingest.transform

    build = WarehousePaths.for_warehouse(tmp_path / "policy.duckdb").build
    _run(build, corpus)
    assert transform(build)["mode"] == "skipped"
    monkeypatch.setattr(ingest.transform, "project_fingerprint", lambda: "another-project")
    assert transform(build)["mode"] == "full"  # a changed project is never skipped
    assert transform(build)["mode"] == "skipped"

    # A full build of a third project fails (its marts half rebuilt), then the
    # project is set back and raw is as the last good build read it.
    monkeypatch.setattr(ingest.transform, "project_fingerprint", lambda: "a-third-project")
    _add_document_that_fails_a_mart_test(build)
    with pytest.raises(DbtBuildError):
        transform(build)
    monkeypatch.setattr(ingest.transform, "project_fingerprint", lambda: "another-project")
    con = duckdb.connect(str(build))
    try:
        con.execute("delete from raw.documents where content_format = 'pdf'")
    finally:
        con.close()
    assert transform(build)["mode"] == "full"
    assert transform(build)["mode"] == "skipped"
    assert _marts(build) == _full_rebuild(build, tmp_path)


def test_a_build_during_which_raw_changed_is_not_skipped_over(corpus, tmp_path, monkeypatch):
    """Raw written after the fingerprint was taken, before dbt read it: the build's record matches no raw state."""
    import ingest.transform

    build = WarehousePaths.for_warehouse(tmp_path / "policy.duckdb").build
    _run(build, corpus)
    real_build = ingest.transform.run_dbt_build

    def another_writer_first(build_db, **options):
        _add_copy_of_a_document(build_db)
        return real_build(build_db, **options)

    monkeypatch.setattr(ingest.transform, "run_dbt_build", another_writer_first)
    assert transform(build, full_refresh=False)["mode"] == "incremental"
    monkeypatch.undo()
    con = duckdb.connect(str(build))
    try:
        assert con.execute("select count(*) from marts.dim_documents where document_id like 'x%'").fetchone()[0] == 1
        con.execute("delete from raw.documents where document_id like 'x%'")  # raw as the fingerprint saw it
    finally:
        con.close()
    assert transform(build)["mode"] == "incremental"
    assert _marts(build) == _full_rebuild(build, tmp_path)


def test_the_raw_fingerprint_covers_every_dbt_source():
    sources = yaml.safe_load((PROJECT_DIR / "dbt_project" / "models" / "staging" / "__sources.yml").read_text())
    (raw,) = [source for source in sources["sources"] if source["name"] == "raw"]
    assert sorted(table["name"] for table in raw["tables"]) == sorted(DBT_SOURCE_TABLES)
    # ... and no model or macro reads a table of the pipeline's schemas other than through source().
    named = re.compile(r"\b(raw|audit|quarantine)\.[a-z_]+")
    folders = ("models", "macros", "tests")
    for path in sorted(p for folder in folders for p in (PROJECT_DIR / "dbt_project" / folder).rglob("*.sql")):
        code = re.sub(r"--[^\n]*|\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        assert not named.search(code), f"{path}: {named.search(code).group()}"
