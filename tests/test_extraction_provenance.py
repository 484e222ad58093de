"""Extraction output keeps its provenance and versions never overwrite each other."""

from __future__ import annotations

import ingest.extract
from ingest.pipeline import extract_pending, ingest_folder
from ingest.warehouse import connect
from tests.conftest import SAMPLE_CORPUS


def _rows(build_db, version):
    con = connect(build_db)
    try:
        return {
            table: sorted(con.execute(f"select * exclude (extracted_at) from {table} where extractor_version = ?", [version]).fetchall())
            for table in ("raw.target_mentions", "raw.event_mentions", "raw.indicator_value_mentions")
        }
    finally:
        con.close()


def test_evidence_offsets_point_into_the_clean_text(tmp_path):
    build_db = tmp_path / "build.duckdb"
    ingest_folder(build_db, SAMPLE_CORPUS)
    con = connect(build_db)
    try:
        mismatched = con.execute(
            """
            select m.mention_id, m.evidence
            from (
                select mention_id, document_id, evidence, evidence_start, evidence_end from raw.target_mentions
                union all
                select mention_id, document_id, evidence, evidence_start, evidence_end from raw.event_mentions
                union all
                select mention_id, document_id, evidence, evidence_start, evidence_end from raw.indicator_value_mentions
            ) m join raw.documents d using (document_id)
            where substring(d.clean_text, m.evidence_start + 1, m.evidence_end - m.evidence_start) != m.evidence
            """
        ).fetchall()
        total = con.execute("select count(*) from raw.target_mentions").fetchone()[0]
    finally:
        con.close()
    assert total > 0
    assert mismatched == []


def test_a_new_version_adds_its_rows_beside_the_old_and_a_rerun_replaces_only_its_own(tmp_path, monkeypatch):
    build_db = tmp_path / "build.duckdb"
    ingest_folder(build_db, SAMPLE_CORPUS)
    old_version = ingest.extract.EXTRACTOR_VERSION
    old_rows = _rows(build_db, old_version)  # extracted while loading
    assert old_rows["raw.target_mentions"]
    assert extract_pending(build_db)["documents"] == 0  # nothing new at this version

    # A new extractor release runs over the same documents.
    monkeypatch.setattr(ingest.extract, "EXTRACTOR_VERSION", "99.0.0-test")
    assert extract_pending(build_db)["documents"] == 5
    new_rows = _rows(build_db, "99.0.0-test")
    assert len(new_rows["raw.target_mentions"]) == len(old_rows["raw.target_mentions"])

    # Forcing the new version again replaces its rows (no duplicates) and leaves the old version's alone.
    extract_pending(build_db, force=True)
    assert _rows(build_db, "99.0.0-test") == new_rows
    assert _rows(build_db, old_version) == old_rows
