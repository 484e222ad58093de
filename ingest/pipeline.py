"""The pipeline's steps, each a plain function that Airflow tasks and the CLI call.

ingest → extract → transform (dbt build) → validate (Great Expectations) → publish.
All steps write one *build* DuckDB file next to the published one; ``publish``
copies it over the published file atomically, and only after the checks pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.clean import EXTRACTOR_VERSION as CLEANER_VERSION
from ingest.clean import EmptyDocumentError, clean_document
from ingest.encoding import UndecodableError, decode_bytes
from ingest.sources import RawInput
from ingest.sources.folder import iter_folder
from ingest.warehouse import connect, insert_rows

MIN_CJK_CHARACTERS = 20

DOCUMENT_COLUMNS = (
    "document_id", "content_hash", "source_uri", "url", "title", "publish_date",
    "publish_date_precision", "publisher", "region", "content_format", "detected_encoding",
    "original_text", "clean_text", "extractor_version", "run_id", "loaded_at",
)  # fmt: skip
LOG_COLUMNS = (
    "run_id", "source_uri", "outcome", "reason", "document_id", "byte_size",
    "detected_encoding", "logged_at",
)  # fmt: skip


@dataclass(frozen=True)
class WarehousePaths:
    """The published file analysts open, and the build file the pipeline writes."""

    published: Path

    @property
    def build(self) -> Path:
        return self.published.with_name(self.published.stem + ".build.duckdb")

    @classmethod
    def for_warehouse(cls, warehouse: str | Path) -> WarehousePaths:
        return cls(Path(warehouse).absolute())


def failpoint(name: str) -> None:
    """Stop here for a while when ``POLICY_FAILPOINT`` names this point.

    Lets the fault tests kill a run at a known moment (inside the load or the
    extraction transaction) instead of guessing with timers.
    """
    if os.environ.get("POLICY_FAILPOINT") == name:
        print(f"failpoint {name} reached", flush=True)
        time.sleep(float(os.environ.get("POLICY_FAILPOINT_SECONDS", "60")))


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


@dataclass
class PreparedDocument:
    """An input that decoded and cleaned; what the loader stores and the extractor reads."""

    source_uri: str
    file_name: str
    content_hash: str
    original_text: str
    encoding: str
    byte_size: int
    clean: object  # ingest.clean.CleanDocument
    notes: list[str]

    @property
    def document_id(self) -> str:
        return self.content_hash[:16]

    # The extractor's inputs, named as the evaluation expects them.
    @property
    def clean_text(self) -> str:
        return self.clean.clean_text

    @property
    def publish_date(self) -> dt.date | None:
        return self.clean.publish_date

    @property
    def publish_date_precision(self) -> str | None:
        return self.clean.publish_date_precision


class RejectedInput(ValueError):
    """An input that cannot become a document; the message is the logged reason."""


def prepare(raw: RawInput) -> PreparedDocument:
    """Decode and clean one input, or raise ``RejectedInput`` with the reason."""
    if raw.error:
        raise RejectedInput(raw.error)
    data = raw.data or b""
    if not data.strip():
        raise RejectedInput("empty input (no bytes or only whitespace)")
    try:
        text, encoding = decode_bytes(data, raw.declared_charset)
    except UndecodableError as exc:
        raise RejectedInput(str(exc)) from exc
    try:
        clean = clean_document(text, raw.metadata)
    except EmptyDocumentError as exc:
        raise RejectedInput(str(exc)) from exc
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:
        # One malformed document (trafilatura or lxml giving up) must not fail the batch.
        raise RejectedInput(f"cleaning failed: {type(exc).__name__}: {exc}") from exc
    cjk = _cjk_count(clean.clean_text)
    if cjk < MIN_CJK_CHARACTERS:
        raise RejectedInput(f"not a Chinese document: {cjk} Chinese characters in the main text")
    if clean.url is None and raw.url:
        clean.url = raw.url
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return PreparedDocument(
        source_uri=raw.source_uri,
        file_name=raw.source_uri.rstrip("/").rsplit("/", 1)[-1],
        content_hash=content_hash,
        original_text=text,
        encoding=encoding,
        byte_size=len(data),
        clean=clean,
        notes=raw.notes + clean.notes,
    )


def prepare_corpus(corpus_dir: str | Path) -> Iterator[PreparedDocument]:
    """Every document of a corpus folder that cleans, for evaluation (rejects are skipped)."""
    for raw in iter_folder(corpus_dir):
        try:
            yield prepare(raw)
        except RejectedInput:
            continue


@dataclass
class IngestSummary:
    run_id: str
    outcomes: Counter

    def as_dict(self) -> dict:
        return {"run_id": self.run_id, **{k: self.outcomes.get(k, 0) for k in ("loaded", "duplicate", "rejected")}}


def ingest_inputs(build_db: Path, inputs: Iterable[RawInput], run_id: str | None = None) -> IngestSummary:
    """Load every input into ``raw.documents`` and log each one in ``raw.ingest_log``.

    Content seen before (in this batch or any earlier load) is logged as a
    duplicate and adds no document, so loading the same inputs twice adds nothing.
    """
    run_id = run_id or new_run_id()
    documents: list[tuple] = []
    log: list[tuple] = []
    outcomes: Counter = Counter()
    con = connect(build_db)
    try:
        known = dict(con.execute("select content_hash, source_uri from raw.documents").fetchall())
        for raw in inputs:
            now = _now()
            try:
                doc = prepare(raw)
            except RejectedInput as exc:
                size = len(raw.data) if raw.data is not None else None
                log.append((run_id, raw.source_uri, "rejected", str(exc), None, size, None, now))
                outcomes["rejected"] += 1
                continue
            notes = "; ".join(doc.notes) or None
            if doc.content_hash in known:
                reason = f"same content as {known[doc.content_hash]}" + (f"; {notes}" if notes else "")
                log.append((run_id, doc.source_uri, "duplicate", reason, doc.document_id, doc.byte_size, doc.encoding, now))
                outcomes["duplicate"] += 1
                continue
            known[doc.content_hash] = doc.source_uri
            c = doc.clean
            documents.append((
                doc.document_id, doc.content_hash, doc.source_uri, c.url, c.title, c.publish_date,
                c.publish_date_precision, c.publisher, c.region, c.content_format, doc.encoding,
                doc.original_text, c.clean_text, CLEANER_VERSION, run_id, now,
            ))  # fmt: skip
            log.append((run_id, doc.source_uri, "loaded", notes, doc.document_id, doc.byte_size, doc.encoding, now))
            outcomes["loaded"] += 1
        con.execute("begin")
        insert_rows(con, "raw.documents", DOCUMENT_COLUMNS, documents)
        insert_rows(con, "raw.ingest_log", LOG_COLUMNS, log)
        failpoint("load")
        con.execute("commit")
    finally:
        con.close()
    return IngestSummary(run_id, outcomes)


def ingest_folder(build_db: Path, corpus_dir: str | Path, run_id: str | None = None) -> IngestSummary:
    return ingest_inputs(build_db, iter_folder(corpus_dir), run_id)


def ingest_sources(
    build_db: Path,
    corpus_dir: str | Path | None = None,
    urls: Iterable[str] = (),
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    run_id: str | None = None,
    allow_private_addresses: bool | None = None,
) -> dict:
    """Ingest a corpus folder and/or web inputs under one run id (what the DAG's first task does).

    Private and loopback addresses stay refused unless ``allow_private_addresses``
    (default: the environment variable ``POLICY_ALLOW_PRIVATE_ADDRESSES=1``).
    """
    from ingest.sources.web import FetchSettings, iter_web

    run_id = run_id or new_run_id()
    summary: dict = {"run_id": run_id}
    if corpus_dir:
        summary["folder"] = ingest_folder(build_db, corpus_dir, run_id).as_dict()
    urls, feeds, sitemaps = list(urls), list(feeds), list(sitemaps)
    if urls or feeds or sitemaps:
        if allow_private_addresses is None:
            allow_private_addresses = os.environ.get("POLICY_ALLOW_PRIVATE_ADDRESSES") == "1"
        settings = FetchSettings(allow_private_addresses=allow_private_addresses)
        summary["web"] = ingest_inputs(build_db, iter_web(urls, feeds, sitemaps, settings), run_id).as_dict()
    if len(summary) == 1:
        raise ValueError("nothing to ingest: give a corpus folder or web inputs")
    return summary


def _mention_id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


TARGET_COLUMNS = (
    "mention_id", "document_id", "extractor_version", "indicator", "value", "unit", "comparator",
    "target_year", "baseline_year", "region", "issuer", "evidence", "evidence_start", "evidence_end",
    "extracted_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "mention_id", "document_id", "extractor_version", "event_date", "date_precision", "event_type",
    "name", "location", "evidence", "evidence_start", "evidence_end", "extracted_at",
)  # fmt: skip
MEASURE_COLUMNS = ("event_mention_id", "measure_index", "document_id", "extractor_version", "name", "value", "unit")
VALUE_COLUMNS = (
    "mention_id", "document_id", "extractor_version", "indicator", "value", "unit", "period",
    "period_precision", "value_kind", "region", "evidence", "evidence_start", "evidence_end", "extracted_at",
)  # fmt: skip
EXTRACTION_COLUMNS = ("document_id", "extractor_version", "target_count", "event_count", "extracted_at")
# Tables holding one extractor version's output; re-extraction replaces that version's rows only.
MENTION_TABLES = (
    "raw.target_mentions", "raw.event_mentions", "raw.event_measure_mentions",
    "raw.indicator_value_mentions", "raw.extractions",
)  # fmt: skip


def extraction_rows(document_id: str, version: str, result, now: dt.datetime) -> dict[str, list[tuple]]:
    """The raw-table rows for one document's extraction result, keyed by table."""
    rows: dict[str, list[tuple]] = {table: [] for table in MENTION_TABLES}
    for i, t in enumerate(result.targets):
        rows["raw.target_mentions"].append((
            _mention_id(document_id, version, "target", i, t.evidence_start, t.indicator, t.value),
            document_id, version, t.indicator, t.value, t.unit, t.comparator, t.target_year, t.baseline_year,
            t.region, t.issuer, t.evidence, t.evidence_start, t.evidence_end, now,
        ))  # fmt: skip
    for i, e in enumerate(result.events):
        event_id = _mention_id(document_id, version, "event", i, e.evidence_start, e.name, e.event_date)
        rows["raw.event_mentions"].append((
            event_id, document_id, version, e.event_date, e.date_precision, e.event_type, e.name,
            e.location, e.evidence, e.evidence_start, e.evidence_end, now,
        ))  # fmt: skip
        for j, m in enumerate(e.measures):
            rows["raw.event_measure_mentions"].append((event_id, j, document_id, version, m.name, m.value, m.unit))
    for i, v in enumerate(result.indicator_values):
        rows["raw.indicator_value_mentions"].append((
            _mention_id(document_id, version, "value", i, v.evidence_start, v.indicator, v.value, v.period),
            document_id, version, v.indicator, v.value, v.unit, v.period, v.period_precision, v.value_kind,
            v.region, v.evidence, v.evidence_start, v.evidence_end, now,
        ))  # fmt: skip
    rows["raw.extractions"].append((document_id, version, len(result.targets), len(result.events), now))
    return rows


_TABLE_COLUMNS = {
    "raw.target_mentions": TARGET_COLUMNS,
    "raw.event_mentions": EVENT_COLUMNS,
    "raw.event_measure_mentions": MEASURE_COLUMNS,
    "raw.indicator_value_mentions": VALUE_COLUMNS,
    "raw.extractions": EXTRACTION_COLUMNS,
}


def extract_pending(build_db: Path, *, force: bool = False) -> dict:
    """Run the extractor on every document it has not yet seen at its current version.

    Rows of the current version for those documents are replaced; rows of other
    versions are kept, so raw holds every version's output side by side.
    ``force`` re-extracts every document (after a fix that kept the version).
    """
    from ingest.extract import EXTRACTOR_VERSION, extract

    con = connect(build_db)
    try:
        pending = con.execute(
            """
            select d.document_id, d.clean_text, d.publish_date, d.publish_date_precision, d.region, d.publisher
            from raw.documents d
            where ? or not exists (
                select 1 from raw.extractions e
                where e.document_id = d.document_id and e.extractor_version = ?
            )
            order by d.document_id
            """,
            [force, EXTRACTOR_VERSION],
        ).fetchall()
        batch: dict[str, list[tuple]] = {table: [] for table in MENTION_TABLES}
        now = _now()
        for document_id, clean_text, publish_date, precision, region, publisher in pending:
            result = extract(clean_text, publish_date, precision, region=region, issuer=publisher)
            for table, rows in extraction_rows(document_id, EXTRACTOR_VERSION, result, now).items():
                batch[table].extend(rows)
        ids = [row[0] for row in pending]
        con.execute("begin")
        for table in MENTION_TABLES:
            con.execute(
                f"delete from {table} where extractor_version = ? and list_contains(?, document_id)",
                [EXTRACTOR_VERSION, ids],
            )
            insert_rows(con, table, _TABLE_COLUMNS[table], batch[table])
        failpoint("extract")
        con.execute("commit")
    finally:
        con.close()
    return {
        "extractor_version": EXTRACTOR_VERSION,
        "documents": len(pending),
        "targets": len(batch["raw.target_mentions"]),
        "events": len(batch["raw.event_mentions"]),
        "indicator_values": len(batch["raw.indicator_value_mentions"]),
    }


def transform(build_db: Path) -> dict:
    """Build the dbt project (staging → marts) inside the build file."""
    from ingest.transform import run_dbt_build

    result = run_dbt_build(build_db)
    return {"success": result.success}


AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.validation_results (
    run_id           varchar not null,   -- one id per validation run; sorts by time
    validated_at     timestamp not null,
    suite            varchar not null,
    table_name       varchar,
    expectation      varchar not null,
    column_name      varchar,
    severity         varchar not null,   -- critical blocks the publish; warning does not
    success          boolean not null,
    unexpected_count bigint,
    examples         varchar             -- JSON: a few failing values or rows
);
alter table audit.validation_results add column if not exists pipeline_run_id varchar;
create table if not exists audit.quarantined_batches (
    pipeline_run_id      varchar not null,   -- raw.documents.run_id of the batch
    quarantined_at       timestamp not null,
    documents            integer not null,
    failed_expectations  varchar not null,   -- JSON list of the critical failures
    released_at          timestamp           -- set when moved back into raw
);
"""

# Per-document raw tables a quarantined batch is moved out of, and back into.
_BATCH_TABLES = (
    "documents", "target_mentions", "event_mentions", "event_measure_mentions",
    "indicator_value_mentions", "extractions",
)  # fmt: skip


def quarantine_batch(build_db: Path, pipeline_run_id: str, failed: list[str]) -> int:
    """Move the documents a run loaded (and everything extracted from them) into ``quarantine.*``.

    The batch stays in the build file, inspectable with SQL, and no longer
    blocks later runs; ``release_batch`` moves it back after a fix.
    """
    con = connect(build_db)
    try:
        con.execute(AUDIT_DDL)
        con.execute("create schema if not exists quarantine")
        con.execute("begin")
        batch = "select document_id from raw.documents where run_id = ?"
        documents = con.execute(f"select count(*) from ({batch})", [pipeline_run_id]).fetchone()[0]
        for table in _BATCH_TABLES:
            con.execute(f"create table if not exists quarantine.{table} as select * from raw.{table} limit 0")
            con.execute(
                f"insert into quarantine.{table} select * from raw.{table} where document_id in ({batch})",
                [pipeline_run_id],
            )
        # documents last: the other tables find the batch through it
        for table in reversed(_BATCH_TABLES):
            con.execute(f"delete from raw.{table} where document_id in ({batch})", [pipeline_run_id])
        con.execute(
            "insert into audit.quarantined_batches values (?, ?, ?, ?, null)",
            [pipeline_run_id, _now(), documents, json.dumps(failed, ensure_ascii=False)],
        )
        con.execute("commit")
    finally:
        con.close()
    return documents


def release_batch(build_db: Path, pipeline_run_id: str) -> int:
    """Move a quarantined batch back into raw, to be validated again by the next run."""
    con = connect(build_db)
    try:
        con.execute(AUDIT_DDL)
        if not con.execute(
            "select count(*) from audit.quarantined_batches where pipeline_run_id = ? and released_at is null",
            [pipeline_run_id],
        ).fetchone()[0]:
            raise ValueError(f"no quarantined batch with run id {pipeline_run_id!r}")
        con.execute("begin")
        # A document re-ingested since (its input was fixed and loaded again) is
        # superseded: only the others go back.
        batch = (
            "select document_id from quarantine.documents where run_id = ? "
            "and document_id not in (select document_id from raw.documents)"
        )
        documents = con.execute(f"select count(*) from ({batch})", [pipeline_run_id]).fetchone()[0]
        for table in _BATCH_TABLES:
            con.execute(
                f"insert into raw.{table} by name select * from quarantine.{table} where document_id in ({batch})",
                [pipeline_run_id],
            )
        everything = "select document_id from quarantine.documents where run_id = ?"
        for table in reversed(_BATCH_TABLES):
            con.execute(f"delete from quarantine.{table} where document_id in ({everything})", [pipeline_run_id])
        con.execute(
            "update audit.quarantined_batches set released_at = ? where pipeline_run_id = ? and released_at is null",
            [_now(), pipeline_run_id],
        )
        con.execute("commit")
    finally:
        con.close()
    return documents


def validate(build_db: Path, pipeline_run_id: str | None = None) -> dict:
    """Run the Great Expectations suites and record every result in ``audit.validation_results``.

    A failed critical expectation raises ``ChecksFailed`` (nothing is published);
    the run's own batch, when ``pipeline_run_id`` is given, is quarantined first.
    """
    from expectations import ChecksFailed, run_checks

    report = run_checks(build_db)
    print(report.summary())
    run_id, now = new_run_id(), _now()
    rows = [
        (
            run_id, now, r.suite, r.table, r.expectation_type, r.column, r.severity, r.success,
            r.unexpected_count, json.dumps(r.examples, ensure_ascii=False, default=str), pipeline_run_id,
        )
        for r in report.results
    ]  # fmt: skip
    con = connect(build_db)
    try:
        con.execute(AUDIT_DDL)
        insert_rows(con, "audit.validation_results", (
            "run_id", "validated_at", "suite", "table_name", "expectation", "column_name", "severity",
            "success", "unexpected_count", "examples", "pipeline_run_id",
        ), rows)  # fmt: skip
    finally:
        con.close()
    if not report.success:
        failed = [r.line() for r in report.failed_critical]
        if pipeline_run_id:
            count = quarantine_batch(build_db, pipeline_run_id, failed)
            print(f"Quarantined batch {pipeline_run_id}: {count} document(s) moved to quarantine.documents")
        raise ChecksFailed(report)
    passed = sum(1 for r in report.results if r.success)
    return {"validation_run_id": run_id, "checks": len(report.results), "passed": passed}


def publish(paths: WarehousePaths) -> Path:
    """Copy the build file over the published one atomically.

    The copy is written beside the target and renamed over it, so a reader that
    holds the published file open keeps reading the old file until it reopens,
    and never blocks the run (nothing ever writes into the published file).
    """
    con = connect(paths.build)
    try:
        con.execute("checkpoint")  # fold the WAL into the file before copying
    finally:
        con.close()
    paths.published.parent.mkdir(parents=True, exist_ok=True)
    for stale in paths.published.parent.glob(f".{paths.published.name}.*.tmp"):
        stale.unlink(missing_ok=True)  # left by a run killed while copying
    staging = paths.published.with_name(f".{paths.published.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        shutil.copyfile(paths.build, staging)
        with open(staging, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, paths.published)
    finally:
        staging.unlink(missing_ok=True)
    return paths.published


def run_all(
    warehouse: str | Path,
    *,
    corpus_dir: str | Path | None = None,
    urls: Iterable[str] = (),
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    allow_private_addresses: bool | None = None,
) -> dict:
    """Every step in order, for the CLI (the DAG calls the same functions as tasks)."""
    paths = WarehousePaths.for_warehouse(warehouse)
    ingested = ingest_sources(
        paths.build, corpus_dir, urls, feeds, sitemaps, allow_private_addresses=allow_private_addresses
    )
    summary = {"ingest": ingested, "extract": extract_pending(paths.build)}
    summary["transform"] = transform(paths.build)
    summary["validate"] = validate(paths.build, ingested["run_id"])
    summary["published"] = str(publish(paths))
    return summary
