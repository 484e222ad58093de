"""Batches: the unit of parallel work between reading inputs and the single DuckDB writer.

Workers turn inputs into rows (decode, clean, extract) — in a process pool,
and under Airflow in parallel mapped tasks that write the rows to Parquet
files; one loader then writes them into the build DuckDB file in one
transaction, deciding which content is new.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import multiprocessing
import os
import threading
import time
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import pandas as pd

from ingest.clean import EXTRACTOR_VERSION as CLEANER_VERSION
from ingest.documents import RejectedInput, content_hash, decode, prepare
from ingest.sources import RawInput
from ingest.warehouse import RAW_DDL

COLUMNS: dict[str, tuple[str, ...]] = {
    "raw.documents": (
        "document_id", "content_hash", "source_uri", "url", "title", "publish_date",
        "publish_date_precision", "publisher", "region", "content_format", "detected_encoding",
        "original_text", "clean_text", "extractor_version", "run_id", "loaded_at",
    ),
    "raw.ingest_log": (
        "run_id", "source_uri", "outcome", "reason", "document_id", "byte_size",
        "detected_encoding", "logged_at", "source_fingerprint",
    ),
    "raw.target_mentions": (
        "mention_id", "document_id", "extractor_version", "indicator", "value", "unit", "comparator",
        "target_year", "baseline_year", "region", "issuer", "evidence", "evidence_start", "evidence_end",
        "extracted_at",
    ),
    "raw.event_mentions": (
        "mention_id", "document_id", "extractor_version", "event_date", "date_precision", "event_type",
        "name", "location", "evidence", "evidence_start", "evidence_end", "extracted_at",
    ),
    "raw.event_measure_mentions": (
        "event_mention_id", "measure_index", "document_id", "extractor_version", "name", "value", "unit",
    ),
    "raw.indicator_value_mentions": (
        "mention_id", "document_id", "extractor_version", "indicator", "value", "unit", "period",
        "period_precision", "value_kind", "region", "evidence", "evidence_start", "evidence_end", "extracted_at",
    ),
    "raw.extractions": ("document_id", "extractor_version", "target_count", "event_count", "extracted_at"),
}  # fmt: skip
# Tables holding one extractor version's output, per document.
MENTION_TABLES = (
    "raw.target_mentions", "raw.event_mentions", "raw.event_measure_mentions",
    "raw.indicator_value_mentions", "raw.extractions",
)  # fmt: skip

Rows = dict[str, list[tuple]]


def empty_rows() -> Rows:
    return {table: [] for table in COLUMNS}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def mention_id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def extraction_rows(document_id: str, version: str, result, at: dt.datetime) -> Rows:
    """The raw-table rows for one document's extraction result."""
    rows: Rows = {table: [] for table in MENTION_TABLES}
    for i, t in enumerate(result.targets):
        rows["raw.target_mentions"].append((
            mention_id(document_id, version, "target", i, t.evidence_start, t.indicator, t.value),
            document_id, version, t.indicator, t.value, t.unit, t.comparator, t.target_year, t.baseline_year,
            t.region, t.issuer, t.evidence, t.evidence_start, t.evidence_end, at,
        ))  # fmt: skip
    for i, e in enumerate(result.events):
        event_id = mention_id(document_id, version, "event", i, e.evidence_start, e.name, e.event_date)
        rows["raw.event_mentions"].append((
            event_id, document_id, version, e.event_date, e.date_precision, e.event_type, e.name,
            e.location, e.evidence, e.evidence_start, e.evidence_end, at,
        ))  # fmt: skip
        for j, m in enumerate(e.measures):
            rows["raw.event_measure_mentions"].append((event_id, j, document_id, version, m.name, m.value, m.unit))
    for i, v in enumerate(result.indicator_values):
        rows["raw.indicator_value_mentions"].append((
            mention_id(document_id, version, "value", i, v.evidence_start, v.indicator, v.value, v.period),
            document_id, version, v.indicator, v.value, v.unit, v.period, v.period_precision, v.value_kind,
            v.region, v.evidence, v.evidence_start, v.evidence_end, at,
        ))  # fmt: skip
    rows["raw.extractions"].append((document_id, version, len(result.targets), len(result.events), at))
    return rows


# In a pool worker: the content hashes the warehouse held when the pool started
# (set by the pool's initializer, inherited by fork rather than sent with each task).
_known_in_worker: frozenset[str] = frozenset()


def _process_one(raw: RawInput, known: Container[str] | None = None) -> dict:
    """Decode, clean and extract one input (runs in a worker process).

    Content whose hash is in ``known`` (by default the pool's) is returned as
    soon as it is decoded, without the cleaning and extraction a duplicate
    would waste; its log row then carries the input's own notes, not the
    cleaner's.
    """
    from ingest.extract import EXTRACTOR_VERSION, extract

    at = now()
    size = len(raw.data) if raw.data is not None else None
    try:
        decoded = decode(raw)
        text_hash = content_hash(decoded[0])
        if text_hash in (_known_in_worker if known is None else known):
            return {
                "source_uri": raw.source_uri, "rejected": None, "size": size, "at": at, "fingerprint": raw.fingerprint,
                "content_hash": text_hash, "document_id": text_hash[:16], "encoding": decoded[1],
                "notes": "; ".join(raw.notes) or None, "document": None, "mentions": {},
            }  # fmt: skip
        doc = prepare(raw, decoded, text_hash)
    except RejectedInput as exc:
        return {"source_uri": raw.source_uri, "rejected": str(exc), "size": size, "at": at, "fingerprint": raw.fingerprint}
    c = doc.clean
    notes = list(doc.notes)
    try:
        result = extract(c.clean_text, c.publish_date, c.publish_date_precision, region=c.region, issuer=c.publisher)
        mentions = extraction_rows(doc.document_id, EXTRACTOR_VERSION, result, at)
    except Exception as exc:  # noqa: BLE001 (one document must not fail its batch)
        # Loaded without mentions and without an extraction record, so the
        # catch-up step tries it again (after a fix) instead of losing it.
        notes.append(f"extraction failed: {type(exc).__name__}: {exc}")
        mentions = {}
    return {
        "source_uri": doc.source_uri,
        "rejected": None,
        "size": doc.byte_size,
        "at": at,
        "fingerprint": raw.fingerprint,
        "content_hash": doc.content_hash,
        "document_id": doc.document_id,
        "encoding": doc.encoding,
        "notes": "; ".join(notes) or None,
        "document": (
            doc.document_id, doc.content_hash, doc.source_uri, c.url, c.title, c.publish_date,
            c.publish_date_precision, c.publisher, c.region, c.content_format, doc.encoding,
            doc.original_text, c.clean_text, CLEANER_VERSION, None, at,
        ),
        "mentions": mentions,
    }


def default_workers() -> int:
    """Worker processes for cleaning and extraction: the cores, unless told otherwise.

    A daemonic process (a Celery worker's child) may not start processes; there
    the parallelism comes from several mapped tasks running at once instead.
    """
    if multiprocessing.current_process().daemon:
        return 1
    return int(os.environ.get("POLICY_WORKERS", os.cpu_count() or 1))


# A small page with a target, run through cleaning and extraction by warm_up().
_WARM_UP_PAGE = (
    "<html><head><title>泉州市科技创新工作方案</title></head><body><nav>首页</nav><article>"
    "<p>到2025年，全市研发经费投入达到360亿元，高新技术企业达到3000家。</p>"
    "<p>2023年5月，泉州市召开创新大会，集中签约项目53个，总金额120亿元。</p>"
    "</article></body></html>"
)


@functools.cache
def warm_up() -> None:
    """Clean and extract one small page in this process, once.

    The first document costs trafilatura and the extractor about 0.2 s of
    one-time set-up; pool workers forked after this start without it, instead
    of paying it again in every worker of every batch.
    """
    _process_one(RawInput("warm-up:page.html", data=_WARM_UP_PAGE.encode("utf-8")))


@contextlib.contextmanager
def worker_pool(workers: int, known: frozenset[str] = frozenset()) -> Iterator[ProcessPoolExecutor | None]:
    """A process pool for cleaning and extraction, to reuse over a run's batches (None for one worker).

    ``known`` is the content hashes already in the warehouse: the workers skip
    cleaning those, and the pool's users must count them as duplicates.
    """
    if workers <= 1:
        yield None
        return
    warm_up()
    # Forked from this process: the workers start with trafilatura and the
    # extractor already warm, and share its pages until they write them.
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(os.getpid(), known)) as pool:
        yield pool


def _start_worker(parent: int, known: frozenset[str]) -> None:
    global _known_in_worker
    _known_in_worker = known
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """In a pool worker: exit once the process that started the pool is gone.

    A run killed outright (SIGKILL, the OOM killer) cannot shut its pool
    down, and a forked worker never sees its task queue close (it holds the
    queue's other end itself), so it would wait for work forever.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _results(
    inputs: Iterable[RawInput], workers: int, known: dict[str, str], pool: ProcessPoolExecutor | None = None
) -> Iterator[dict]:
    """Each input's result, in order; ``pool`` must have been opened with ``known``'s hashes."""
    if pool is None and workers <= 1:
        # In this process ``known`` is the caller's own dict: map is lazy, so the
        # content of every earlier result is known too.
        yield from map(functools.partial(_process_one, known=known), inputs)
        return
    with contextlib.nullcontext(pool) if pool is not None else worker_pool(workers, frozenset(known)) as active:
        yield from active.map(_process_one, inputs, chunksize=4)


def process_inputs(
    inputs: Iterable[RawInput],
    run_id: str,
    known: dict[str, str] | None = None,
    workers: int = 1,
    pool: ProcessPoolExecutor | None = None,
) -> Rows:
    """Rows for every input: a document (with its mentions) per new content, a log row per input.

    ``known`` maps content hashes already in the warehouse to their source;
    content seen there or earlier in these inputs is logged as a duplicate.
    The work runs in ``pool`` when given (``worker_pool``, opened with the
    same ``known``), else in one process, or in a pool of ``workers`` processes
    opened for these inputs.
    """
    known = dict(known or {})
    rows = empty_rows()
    for r in _results(inputs, workers, known, pool):
        if r["rejected"] is not None:
            rows["raw.ingest_log"].append(
                (run_id, r["source_uri"], "rejected", r["rejected"], None, r["size"], None, r["at"], r["fingerprint"])
            )
            continue
        if r["document"] is None and r["content_hash"] not in known:
            # Skipped by a worker as known content, which this caller does not know.
            raise RuntimeError(f"{r['source_uri']}: not cleaned as known content; the pool's known hashes are stale")
        if r["content_hash"] in known:
            reason = f"same content as {known[r['content_hash']]}" + (f"; {r['notes']}" if r["notes"] else "")
            rows["raw.ingest_log"].append((
                run_id, r["source_uri"], "duplicate", reason, r["document_id"], r["size"], r["encoding"], r["at"],
                r["fingerprint"],
            ))  # fmt: skip
            continue
        known[r["content_hash"]] = r["source_uri"]
        rows["raw.documents"].append(r["document"][:14] + (run_id,) + r["document"][15:])
        rows["raw.ingest_log"].append((
            run_id, r["source_uri"], "loaded", r["notes"], r["document_id"], r["size"], r["encoding"], r["at"],
            r["fingerprint"],
        ))  # fmt: skip
        for table, mention_rows in r["mentions"].items():
            rows[table].extend(mention_rows)
    return rows


def _typed_frames(rows: Rows) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding ``rows`` in tables shaped exactly like raw's."""
    con = duckdb.connect()
    con.execute(RAW_DDL)
    for table, table_rows in rows.items():
        if table_rows:
            columns = COLUMNS[table]
            frame = pd.DataFrame(table_rows, columns=list(columns), dtype=object)
            con.register("_rows", frame)
            con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from _rows")
            con.unregister("_rows")
    return con


def _quoted(path: Path) -> str:
    """A path as an SQL string literal (COPY takes no bound parameters for its file name)."""
    return "'" + str(path).replace("'", "''") + "'"


def write_batch(rows: Rows, out_dir: Path) -> Path:
    """Write a batch's rows as one Parquet file per table (the hand-off from a worker to the loader)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = _typed_frames(rows)
    try:
        for table in COLUMNS:
            target = out_dir / f"{table}.parquet"
            con.execute(f"copy {table} to {_quoted(target)} (format parquet)")
    finally:
        con.close()
    (out_dir / "_SUCCESS").touch()  # a batch without it was interrupted and is redone
    return out_dir


def load_batches(con: duckdb.DuckDBPyConnection, batch_dirs: Iterable[Path]) -> Counter:
    """Insert batch files into raw in the caller's transaction; the one place content is deduplicated.

    A document whose content is already in raw (loaded by an earlier batch of
    this run, or an earlier run) becomes a duplicate in the log, and its
    mentions are dropped.
    """
    outcomes: Counter = Counter()
    for batch in batch_dirs:
        if not (batch / "_SUCCESS").exists():
            raise FileNotFoundError(f"incomplete batch (no _SUCCESS marker): {batch}")

        def parquet(table: str, batch: Path = batch) -> str:
            return f"read_parquet({_quoted(batch / f'{table}.parquet')})"

        # Content already in raw: those log rows turn into duplicates.
        con.execute(
            f"""
            create or replace temp table _seen as
            select b.document_id, d.source_uri
            from {parquet("raw.documents")} b join raw.documents d using (content_hash)
            """
        )
        con.execute(
            f"""
            insert into raw.ingest_log by name
            select l.* replace (
                case when s.document_id is not null then 'duplicate' else l.outcome end as outcome,
                case when s.document_id is not null
                     then 'same content as ' || s.source_uri || coalesce('; ' || l.reason, '')
                     else l.reason end as reason
            )
            from {parquet("raw.ingest_log")} l left join _seen s
              on l.outcome = 'loaded' and l.document_id = s.document_id
            """
        )
        for table in ("raw.documents", *MENTION_TABLES):
            con.execute(
                f"insert into {table} by name select * from {parquet(table)} "
                "where document_id not in (select document_id from _seen)"
            )
        outcomes.update(
            dict(con.execute(f"select outcome, count(*) from {parquet('raw.ingest_log')} group by 1").fetchall())
        )
        duplicates = con.execute("select count(*) from _seen").fetchone()[0]
        outcomes["loaded"] -= duplicates
        outcomes["duplicate"] += duplicates
    return outcomes
