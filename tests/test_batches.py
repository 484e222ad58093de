"""The batch hand-off: planning, unchanged-input skipping, and the single loader."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

from ingest.batches import process_inputs
from ingest.documents import content_hash, decode
from ingest.pipeline import (
    ingest_folder,
    load_run,
    new_run_id,
    plan_batches,
    process_batch,
    process_batches,
    quarantine_batch,
)
from ingest.sources import RawInput
from ingest.warehouse import connect
from tests.conftest import SAMPLE_CORPUS


def _log(build_db, run_id):
    con = connect(build_db)
    try:
        return con.execute(
            "select regexp_extract(source_uri, '[^/]+$'), outcome, reason from raw.ingest_log where run_id = ? order by 1",
            [run_id],
        ).fetchall()
    finally:
        con.close()


def test_unchanged_files_are_not_read_again_but_a_changed_sidecar_is(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    build_db = tmp_path / "it's a build" / "build.duckdb"  # a quote in the path reaches SQL as data
    first = ingest_folder(build_db, corpus)
    assert first.as_dict()["loaded"] == 5

    second = ingest_folder(build_db, corpus)
    # Not read, so not logged one by one (the log would grow by the corpus every
    # run): the run's plan counts them.
    assert second.as_dict()["unchanged"] == 5
    assert _log(build_db, second.run_id) == []
    assert _unchanged_files(build_db, second.run_id) == 5

    sidecar = corpus / "003_93cb18d97bc2de9a.meta.json"
    sidecar.write_text(json.dumps({"publish_date": "2023-06-01"}), encoding="utf-8")
    third = ingest_folder(build_db, corpus)
    reread = {name: reason for name, _, reason in _log(build_db, third.run_id)}
    # Read again (same content, so still a duplicate by hash, but not skipped unread).
    assert list(reread) == ["003_93cb18d97bc2de9a.txt"]
    assert reread["003_93cb18d97bc2de9a.txt"].startswith("same content as")
    assert (third.as_dict()["unchanged"], _unchanged_files(build_db, third.run_id)) == (4, 4)

    # The duplicate read is what the file was last read as: unchanged again next run.
    assert ingest_folder(build_db, corpus).as_dict()["unchanged"] == 5


def _unchanged_files(build_db, run_id) -> int:
    con = connect(build_db)
    try:
        return con.execute("select unchanged_files from raw.loaded_plans where run_id = ?", [run_id]).fetchone()[0]
    finally:
        con.close()


def test_batches_are_planned_processed_in_any_order_and_loaded_once(tmp_path):
    build_db = tmp_path / "build.duckdb"
    run_id = new_run_id()
    manifests = plan_batches(build_db, run_id, SAMPLE_CORPUS, batch_size=2)
    assert len(manifests) == 3
    for manifest in reversed(manifests):  # mapped tasks finish in any order
        process_batch(build_db, manifest, workers=1)
    assert all(os.path.exists(os.path.join(m.removesuffix(".json"), "_SUCCESS")) for m in manifests)
    summary = load_run(build_db, run_id).as_dict()
    assert (summary["loaded"], summary["duplicate"], summary["rejected"]) == (5, 0, 0)
    con = connect(build_db)
    try:
        documents = con.execute("select count(*) from raw.documents").fetchone()[0]
        mentions = con.execute("select count(*) from raw.target_mentions").fetchone()[0]
    finally:
        con.close()
    assert documents == 5 and mentions > 0


def test_a_duplicate_of_a_quarantined_document_is_read_again(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "泉州市科技局发布通知，到2025年全市高新技术企业达到3000家。"
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    (corpus / "b.txt").write_text(text, encoding="utf-8")  # a repost of a.txt
    build_db = tmp_path / "build.duckdb"
    first = ingest_folder(build_db, corpus)
    assert [outcome for _, outcome, _ in _log(build_db, first.run_id)] == ["loaded", "duplicate"]

    # The batch is quarantined and a.txt withdrawn: b.txt, unchanged, holds the
    # only copy of the content, so it is read again rather than skipped.
    quarantine_batch(build_db, first.run_id, ["a check failed"])
    (corpus / "a.txt").unlink()
    second = ingest_folder(build_db, corpus)
    assert second.as_dict()["unchanged"] == 0
    assert [(name, outcome) for name, outcome, _ in _log(build_db, second.run_id)] == [("b.txt", "loaded")]


def test_content_already_in_the_warehouse_is_not_cleaned_again():
    """Known content is logged as a duplicate as soon as it is decoded, in a
    worker pool and in one process alike: a page the cleaner would now reject
    (too little Chinese for a document) is not judged again, and costs no
    cleaning or extraction."""
    page = "<html><body><p>Only a few words about 泉州.</p></body></html>".encode()

    def raw(name: str) -> RawInput:
        return RawInput(f"file:///corpus/{name}", data=page)

    known = {content_hash(decode(raw("earlier.html"))[0]): "file:///corpus/earlier.html"}
    for workers in (1, 2):
        rows = process_inputs([raw("again.html")], "run", known, workers)
        [(_, uri, outcome, reason, document_id, *_)] = rows["raw.ingest_log"]
        assert (uri, outcome, reason) == ("file:///corpus/again.html", "duplicate", "same content as file:///corpus/earlier.html")
        assert document_id == next(iter(known))[:16]
        assert all(not table_rows for table, table_rows in rows.items() if table != "raw.ingest_log")
    # Not known, the same page is cleaned, and rejected.
    [(_, _, outcome, reason, *_)] = process_inputs([raw("new.html")], "run", {}, 1)["raw.ingest_log"]
    assert outcome == "rejected" and "not a Chinese document" in reason


def test_a_copy_in_a_later_batch_of_the_run_is_a_duplicate_of_the_first(tmp_path):
    """Batches processed in a pool and in one process: the copy is found by the
    loader, and the first copy, loaded from another batch's files, is kept."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    first = min(p for p in corpus.iterdir() if not p.name.endswith(".json"))
    shutil.copyfile(first, corpus / ("zz_copy" + first.suffix))  # planned last, in a batch of its own
    build_db = tmp_path / "build.duckdb"
    run_id = new_run_id()
    manifests = plan_batches(build_db, run_id, corpus, batch_size=1)
    assert len(manifests) == 6

    for workers in (1, 2):
        process_batches(build_db, manifests, workers)
        if workers == 1:  # again in a pool, from scratch
            for manifest in manifests:
                shutil.rmtree(manifest.removesuffix(".json"))
    summary = load_run(build_db, run_id).as_dict()
    assert (summary["loaded"], summary["duplicate"], summary["rejected"]) == (5, 1, 0)
    log = {name: (outcome, reason) for name, outcome, reason in _log(build_db, run_id)}
    assert log["zz_copy" + first.suffix] == ("duplicate", f"same content as {first.as_uri()}")


def test_a_run_in_a_worker_pool_skips_cleaning_content_already_in_the_warehouse(tmp_path):
    """As the CLI runs: the pool is opened with the warehouse's content hashes.
    A page whose content the warehouse holds (loaded when the cleaner was less
    strict) is logged as a duplicate, not cleaned and rejected again."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(min(SAMPLE_CORPUS.glob("*.txt")), corpus)
    build_db = tmp_path / "build.duckdb"
    assert ingest_folder(build_db, corpus, workers=2).as_dict()["loaded"] == 1
    page = "<html><body><p>Only a few words about 泉州.</p></body></html>"
    con = connect(build_db)
    try:  # the page's content, as an older cleaner loaded it
        con.execute(
            "insert into raw.documents select * replace (? as document_id, ? as content_hash, "
            "'file:///old/page.html' as source_uri, ? as original_text) from raw.documents",
            [hashlib.sha256(page.encode()).hexdigest()[:16], hashlib.sha256(page.encode()).hexdigest(), page],
        )
    finally:
        con.close()
    (corpus / "page.html").write_text(page, encoding="utf-8")

    run = ingest_folder(build_db, corpus, workers=2)

    assert _log(build_db, run.run_id) == [("page.html", "duplicate", "same content as file:///old/page.html")]
