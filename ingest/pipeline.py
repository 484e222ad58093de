"""The pipeline's steps, each a plain function that Airflow tasks and the CLI call.

ingest → extract → transform (dbt build) → validate (Great Expectations) → publish.
All steps write one *build* DuckDB file next to the published one; ``publish``
copies it over the published file atomically, and only after the checks pass.
A ``.ducklake`` warehouse works the same way with two lakes (``ingest.storage``):
the build lake, and the published one that ``publish`` fills in one snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ingest.batches import (
    COLUMNS,
    MENTION_TABLES,
    Rows,
    default_workers,
    empty_rows,
    extraction_rows,
    load_batches,
    now,
    process_inputs,
    worker_pool,
    write_batch,
)
from ingest.documents import PreparedDocument, RejectedInput, prepare, prepare_corpus  # noqa: F401 (public API)
from ingest.sources import RawInput
from ingest.storage import exists, is_lake, publish_lake
from ingest.warehouse import connect, insert_rows


@dataclass(frozen=True)
class WarehousePaths:
    """The published file analysts open, and the build file the pipeline writes.

    For a DuckLake (``policy.ducklake``) the build is the lake ``policy.build.ducklake``.
    """

    published: Path

    @property
    def build(self) -> Path:
        suffix = ".build.ducklake" if is_lake(self.published) else ".build.duckdb"
        return self.published.with_name(self.published.stem + suffix)

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


@dataclass
class IngestSummary:
    run_id: str
    outcomes: Counter

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            **{k: self.outcomes.get(k, 0) for k in ("loaded", "duplicate", "rejected", "unchanged")},
        }


BATCH_SIZE = int(os.environ.get("POLICY_BATCH_SIZE", "500"))


def known_content(build_db: Path) -> dict[str, str]:
    """Content hashes already in the warehouse, with where each was first read."""
    if not exists(build_db):
        return {}
    con = connect(build_db, read_only=True)
    try:
        return dict(con.execute("select content_hash, source_uri from raw.documents").fetchall())
    finally:
        con.close()


def _last_fingerprints(build_db: Path) -> dict[str, str]:
    """Per file, the fingerprint it had when it was last read and kept: loaded, or
    a duplicate of content loaded before, as long as that document is still in raw."""
    if not exists(build_db):
        return {}
    con = connect(build_db, read_only=True)
    try:
        rows = con.execute(
            """
            select source_uri, arg_max(source_fingerprint, logged_at)
            from raw.ingest_log l
            where source_fingerprint is not null
              and outcome in ('loaded', 'duplicate')
              -- a document since quarantined must be read again once fixed (and a
              -- duplicate of it, whose content raw no longer holds)
              and document_id in (select document_id from raw.documents)
            group by source_uri
            """
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def staging_dir(build_db: Path, run_id: str) -> Path:
    """Where a run's batch manifests and batch files live until they are loaded."""
    return build_db.with_name(build_db.stem + ".staging") / re.sub(r"[^\w.-]", "_", run_id)


def _fetch_settings(allow_private_addresses: bool | None):
    from ingest.sources.web import FetchSettings

    if allow_private_addresses is None:
        allow_private_addresses = os.environ.get("POLICY_ALLOW_PRIVATE_ADDRESSES") == "1"
    return FetchSettings(allow_private_addresses=allow_private_addresses)


def plan_batches(
    build_db: Path,
    run_id: str,
    corpus_dir: str | Path | None = None,
    urls: Iterable[str] = (),
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    allow_private_addresses: bool | None = None,
    batch_size: int | None = None,
) -> list[str]:
    """List the run's inputs and split them into batch manifests; returns their paths.

    Files unchanged since they were last read (same size and modification
    time) are not read again, which is what makes a daily run cost what the
    day's new documents cost. They are counted in the plan (and in
    ``raw.loaded_plans.unchanged_files`` once loaded), not logged one by one:
    a row per file and run would grow the log by the whole corpus every run.
    """
    from ingest.sources.folder import corpus_root, list_fingerprints
    from ingest.sources.web import WebFetcher, discover_all

    if not (corpus_dir or urls or feeds or sitemaps):
        raise ValueError("nothing to ingest: give a corpus folder or web inputs")
    staging = staging_dir(build_db, run_id)
    # A new attempt of the same run (a cleared DAG run) starts from a clean plan.
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    settings = _fetch_settings(allow_private_addresses)
    items: list[dict] = []
    planned = empty_rows()  # inputs settled while planning: unusable listings
    at = now()
    unchanged = 0
    if corpus_dir:
        last = _last_fingerprints(build_db)
        for path, print_ in list_fingerprints(corpus_dir):
            if print_ is not None and last.get(path.absolute().as_uri()) == print_:
                unchanged += 1
            else:
                items.append({"file": str(path)})
    web_urls = list(urls)
    found, failed = discover_all(WebFetcher(settings), feeds, sitemaps)
    web_urls.extend(found)
    for listing in failed:
        planned["raw.ingest_log"].append(
            (run_id, listing.source_uri, "rejected", listing.error, None, None, None, at, None)
        )
    items.extend({"url": url} for url in dict.fromkeys(web_urls))
    write_batch(planned, staging / "batch-planned")
    size = batch_size or BATCH_SIZE
    manifests = []
    for number, start in enumerate(range(0, max(len(items), 1), size)):
        manifest = staging / f"batch-{number:05d}.json"
        manifest.write_text(
            json.dumps({
                "run_id": run_id,
                "corpus_dir": str(corpus_root(corpus_dir)) if corpus_dir else None,
                "allow_private_addresses": settings.allow_private_addresses,
                "items": items[start : start + size],
            }),
            encoding="utf-8",
        )  # fmt: skip
        manifests.append(str(manifest))
    # Written last: a plan that is there is complete.
    plan = {"plan_id": uuid.uuid4().hex, "unchanged_files": unchanged}
    (staging / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return manifests


def process_batch(
    build_db: Path,
    manifest: str | Path,
    workers: int | None = None,
    pool: ProcessPoolExecutor | None = None,
    write: Callable[[Rows, Path], object] = write_batch,
    known: dict[str, str] | None = None,
) -> str:
    """Read, clean and extract one batch's inputs into Parquet files beside its manifest.

    Safe to retry: a batch that finished is not redone. Reads the build file
    only (to skip content it already holds), so batches run in parallel. A run
    that processes its batches one after another (``process_batches``) passes
    one ``pool`` for all of them and a ``write`` that writes the files in a
    thread, with the ``known`` content the pool was opened with (by default
    the build file's, read here).
    """
    from ingest.sources.folder import read_document
    from ingest.sources.web import WebFetcher

    manifest = Path(manifest)
    out = manifest.with_suffix("")
    if (out / "_SUCCESS").exists():
        return str(out)
    spec = json.loads(manifest.read_text(encoding="utf-8"))
    root = Path(spec["corpus_dir"]) if spec["corpus_dir"] else None
    fetcher = WebFetcher(_fetch_settings(spec["allow_private_addresses"]))

    def inputs() -> Iterator[RawInput]:
        for item in spec["items"]:
            yield read_document(Path(item["file"]), root) if "file" in item else fetcher.fetch(item["url"])

    if known is None:
        if pool is not None:
            raise ValueError("process_batch: a pool comes with the known content it was opened with")
        known = known_content(build_db)
    rows = process_inputs(inputs(), spec["run_id"], known, workers or default_workers(), pool)
    failpoint("process")
    write(rows, out)
    return str(out)


def process_batches(build_db: Path, manifests: Iterable[str | Path], workers: int | None = None) -> None:
    """Process a run's batches one after another, as the CLI does (the DAG maps ``process_batch``).

    One worker pool serves every batch, and each batch's files are written in
    a thread while the pool already cleans the next batch, so the workers do
    not wait for the writing.
    """
    written = []
    known = known_content(build_db)  # nothing is loaded until every batch is processed
    with (
        worker_pool(workers or default_workers(), frozenset(known)) as pool,
        ThreadPoolExecutor(max_workers=1) as writer,
    ):
        for manifest in manifests:
            process_batch(
                build_db, manifest, workers, pool, known=known,
                write=lambda rows, out: written.append(writer.submit(write_batch, rows, out)),
            )  # fmt: skip
    for future in written:
        future.result()  # raises what a write raised


def load_run(build_db: Path, run_id: str) -> IngestSummary:
    """Load every batch of a run's plan into raw in one transaction — the single DuckDB writer.

    Each plan is loaded once: a retry after the commit finds its plan id
    recorded in ``raw.loaded_plans`` and only cleans up.
    """
    staging = staging_dir(build_db, run_id)
    if not (staging / "plan.json").exists():
        return IngestSummary(run_id, Counter())  # loaded and cleaned up by an earlier try
    plan = json.loads((staging / "plan.json").read_text(encoding="utf-8"))
    plan_id, unchanged = plan["plan_id"], plan.get("unchanged_files") or 0
    manifests = sorted(staging.glob("batch-*.json"))
    unfinished = [m.name for m in manifests if not (m.with_suffix("") / "_SUCCESS").exists()]
    if unfinished:
        raise RuntimeError(f"batches not processed yet: {', '.join(unfinished)}")
    con = connect(build_db)
    try:
        if con.execute("select count(*) from raw.loaded_plans where plan_id = ?", [plan_id]).fetchone()[0]:
            outcomes = Counter()
        else:
            con.execute("begin")
            batches = [staging / "batch-planned", *(m.with_suffix("") for m in manifests)]
            outcomes = load_batches(con, batches)
            con.execute(
                "insert into raw.loaded_plans (plan_id, run_id, loaded_at, unchanged_files) values (?, ?, ?, ?)",
                [plan_id, run_id, now(), unchanged],
            )
            if unchanged:
                outcomes["unchanged"] = unchanged
            failpoint("load")
            con.execute("commit")
    finally:
        con.close()
    shutil.rmtree(staging, ignore_errors=True)
    return IngestSummary(run_id, outcomes)


def ingest_inputs(
    build_db: Path, inputs: Iterable[RawInput], run_id: str | None = None, workers: int = 1
) -> IngestSummary:
    """Load the given inputs as one batch (extracted on the way); each is logged in ``raw.ingest_log``.

    Content seen before (in these inputs or any earlier load) is logged as a
    duplicate and adds no document, so loading the same inputs twice adds nothing.
    """
    run_id = run_id or new_run_id()
    staging = staging_dir(build_db, run_id)
    shutil.rmtree(staging, ignore_errors=True)
    rows = process_inputs(inputs, run_id, known_content(build_db), workers=workers)
    write_batch(rows, staging / "batch-planned")
    (staging / "plan.json").write_text(json.dumps({"plan_id": uuid.uuid4().hex}), encoding="utf-8")
    return load_run(build_db, run_id)


def ingest_sources(
    build_db: Path,
    corpus_dir: str | Path | None = None,
    urls: Iterable[str] = (),
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    run_id: str | None = None,
    allow_private_addresses: bool | None = None,
    workers: int | None = None,
) -> dict:
    """Plan, process and load a corpus folder and/or web inputs in this process (the CLI's ingest).

    Private and loopback addresses stay refused unless ``allow_private_addresses``
    (default: the environment variable ``POLICY_ALLOW_PRIVATE_ADDRESSES=1``).
    """
    run_id = run_id or new_run_id()
    manifests = plan_batches(build_db, run_id, corpus_dir, urls, feeds, sitemaps, allow_private_addresses)
    process_batches(build_db, manifests, workers)
    return load_run(build_db, run_id).as_dict()


def ingest_folder(
    build_db: Path, corpus_dir: str | Path, run_id: str | None = None, workers: int | None = None
) -> IngestSummary:
    run_id = run_id or new_run_id()
    process_batches(build_db, plan_batches(build_db, run_id, corpus_dir), workers)
    return load_run(build_db, run_id)


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
        batch = {table: [] for table in MENTION_TABLES}
        at = now()
        skipped = []
        for document_id, clean_text, publish_date, precision, region, publisher in pending:
            try:
                result = extract(clean_text, publish_date, precision, region=region, issuer=publisher)
            except Exception as exc:  # noqa: BLE001 (stays pending; the others go on)
                print(f"extraction failed for {document_id}: {type(exc).__name__}: {exc}")
                skipped.append(document_id)
                continue
            for table, rows in extraction_rows(document_id, EXTRACTOR_VERSION, result, at).items():
                batch[table].extend(rows)
        ids = [row[0] for row in pending if row[0] not in skipped]
        con.execute("begin")
        for table in MENTION_TABLES:
            con.execute(
                f"delete from {table} where extractor_version = ? and list_contains(?, document_id)",
                [EXTRACTOR_VERSION, ids],
            )
            insert_rows(con, table, COLUMNS[table], batch[table])
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


def transform(build_db: Path, *, full_refresh: bool | None = None) -> dict:
    """Build the dbt project (staging → marts) inside the build file.

    In full on the first build, whenever the project (or dbt's or DuckDB's
    version) changed since the last successful build
    (``ingest.transform.project_fingerprint``), and after a full build, or a
    build of another project, that did not finish; otherwise
    incrementally: only the marts are built (staging and intermediate are views
    whose SQL has not changed) with their tests, and the incremental marts take
    in only the documents that are new or re-extracted. ``full_refresh`` forces
    either way.

    Not at all ("skipped") when neither the project nor what dbt reads from
    raw (``raw_fingerprint``) changed since the last build, and that build
    finished: the marts are a function of those two alone (no model reads the
    clock), so a run that loads and logs nothing costs no dbt build. Every
    build is recorded in ``audit.dbt_builds`` when it starts (numbered in
    order); one that fails or is killed keeps a null ``elapsed_seconds``,
    and the next run builds.
    """
    from ingest.transform import project_fingerprint, run_dbt_build

    fingerprint = project_fingerprint()
    con = connect(build_db)
    try:
        con.execute(AUDIT_DDL)
        raw_state = raw_fingerprint(con)
        builds = "select * from audit.dbt_builds order by build_number desc nulls last, built_at desc"
        latest = con.execute(f"select elapsed_seconds, build_number from ({builds}) limit 1").fetchone()
        built = con.execute(
            f"select fingerprint, raw_fingerprint, build_number from ({builds}) "
            "where mode in ('full', 'incremental') and elapsed_seconds is not null limit 1"
        ).fetchone()  # fmt: skip
        number = (latest[1] or 0) + 1 if latest else 1
        skip = (
            full_refresh is None and latest is not None and latest[0] is not None
            and built is not None and built[:2] == (fingerprint, raw_state)
        )  # fmt: skip
        if skip:
            mode = "skipped"
        elif full_refresh is not None:
            mode = "full" if full_refresh else "incremental"
        else:
            # A full build, or one of another project, that did not finish may
            # have rebuilt marts by other SQL: the marts are rebuilt in full.
            broken = built is not None and con.execute(
                "select count(*) from audit.dbt_builds where elapsed_seconds is null and build_number > ? "
                "and (mode = 'full' or fingerprint <> ?)",
                [built[2] or 0, fingerprint],
            ).fetchone()[0]  # fmt: skip
            mode = "full" if built is None or built[0] != fingerprint or broken else "incremental"
        con.execute(
            "insert into audit.dbt_builds by name select ? as fingerprint, ? as mode, ? as built_at, "
            "cast(? as double) as elapsed_seconds, ? as raw_fingerprint, ? as build_number",
            [fingerprint, mode, now(), 0.0 if skip else None, raw_state, number],
        )
        if skip:
            return {"success": True, "mode": mode}
    finally:
        con.close()
    full = mode == "full"
    result = run_dbt_build(
        build_db,
        full_refresh=full,
        select=None if full else INCREMENTAL_SELECTION,
        exclude=None if full else INCREMENTAL_EXCLUSION,
    )
    con = connect(build_db)
    try:
        # Raw written by another process while dbt ran: the marts may be of
        # either state, so this build's record matches none and the next builds.
        after = raw_fingerprint(con)
        con.execute(
            "update audit.dbt_builds set elapsed_seconds = ?, raw_fingerprint = ? where build_number = ?",
            [round(result.elapsed_seconds, 3), raw_state if after == raw_state else None, number],
        )
    finally:
        con.close()
    return {"success": result.success, "mode": mode}


# The raw tables dbt reads: its sources (dbt_project/models/staging/__sources.yml).
DBT_SOURCE_TABLES = (
    "documents", "ingest_log", "extractions", "target_mentions", "event_mentions",
    "indicator_value_mentions", "event_measure_mentions",
)  # fmt: skip


def raw_fingerprint(con) -> str:
    """What dbt's sources hold, as one hash: each table's row count and the sum of its rows' hashes.

    Any row added, removed or changed changes it (a sum, not a running hash,
    so the order the rows are stored in does not matter; DuckDB's hash does
    not tell 0.0 from -0.0, and the raw tables hold no lists or structs,
    whose empty and NULL values hash alike). About 30 ms at 10k documents,
    against seconds for a dbt build.
    """
    query = " union all ".join(
        f"select '{table}' as source, count(*) as row_count, coalesce(sum(hash(source_row)), 0) as row_hashes "
        f"from raw.{table} as source_row"
        for table in DBT_SOURCE_TABLES
    )
    state = sorted((str(source), int(count), str(hashes)) for source, count, hashes in con.execute(query).fetchall())
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


# What an incremental dbt build runs: the tables that raw data feeds (marts,
# and the intermediate tables several marts read) and the marts' tests; the
# intermediate models' own tests run in full builds. Views need no run while
# their SQL is unchanged; tables built from seeds alone (the region and date
# dimensions) change only with the project, and a changed project builds in
# full. (An exclusion by path alone would also drop the singular tests that
# read an intermediate view.)
INCREMENTAL_SELECTION = (
    "source:raw+,config.materialized:table source:raw+,config.materialized:incremental"
)
INCREMENTAL_EXCLUSION = "test_type:generic,path:models/intermediate"


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
-- What has passed the checks, so that a run checks only what is new: a
-- document at the extraction it was validated with, an ingest run's log rows.
create table if not exists audit.validated_documents (
    document_id   varchar not null,
    extracted_at  timestamp,            -- its current extraction when validated
    validated_at  timestamp not null
);
-- Every dbt build, recorded when it starts: a build by another project
-- fingerprint (or an unfinished full one) means the next one must be full;
-- one with the same project and raw fingerprints as the last finished build
-- is skipped.
create table if not exists audit.dbt_builds (
    fingerprint      varchar not null,   -- ingest.transform.project_fingerprint()
    mode             varchar not null,   -- full | incremental | skipped (nothing changed since the last build)
    built_at         timestamp not null, -- when it started
    elapsed_seconds  double              -- null: the build failed or was killed
);
alter table audit.dbt_builds add column if not exists raw_fingerprint varchar;  -- ingest.pipeline.raw_fingerprint()
-- 1, 2, ... in the order the builds started (not built_at: clocks of several machines may differ)
alter table audit.dbt_builds add column if not exists build_number integer;
create table if not exists audit.validated_runs (
    pipeline_run_id  varchar not null,  -- raw.ingest_log.run_id
    validated_at     timestamp not null
);
"""

# Documents not validated at their current extraction, and ingest runs not validated.
_UNVALIDATED_DOCUMENTS = """
    with current_extraction as (
        select document_id, max(extracted_at) as extracted_at from raw.extractions group by document_id
    )
    select d.document_id, c.extracted_at
    from raw.documents as d
    left join current_extraction as c on c.document_id = d.document_id
    where not exists (
        select 1 from audit.validated_documents as v
        where v.document_id = d.document_id and v.extracted_at is not distinct from c.extracted_at
    )
    order by d.document_id
"""
_UNVALIDATED_RUNS = """
    select distinct run_id from raw.ingest_log
    where run_id not in (select pipeline_run_id from audit.validated_runs)
    order by run_id
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
            # A document quarantined before (loaded again unchanged) replaces its older copy.
            con.execute(f"delete from quarantine.{table} where document_id in ({batch})", [pipeline_run_id])
            con.execute(
                f"insert into quarantine.{table} by name select * from raw.{table} where document_id in ({batch})",
                [pipeline_run_id],
            )
        # documents last: the other tables find the batch through it
        for table in reversed(_BATCH_TABLES):
            con.execute(f"delete from raw.{table} where document_id in ({batch})", [pipeline_run_id])
        con.execute(
            "insert into audit.quarantined_batches values (?, ?, ?, ?, null)",
            [pipeline_run_id, now(), documents, json.dumps(failed, ensure_ascii=False)],
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
        # superseded: only the others go back. Chosen once, before raw.documents
        # takes them back (after that, "not in raw" would exclude them all).
        con.execute(
            "create or replace temp table _released as "
            "select document_id from quarantine.documents where run_id = ? "
            "and document_id not in (select document_id from raw.documents)",
            [pipeline_run_id],
        )
        documents = con.execute("select count(*) from _released").fetchone()[0]
        for table in _BATCH_TABLES:
            con.execute(
                f"insert into raw.{table} by name select * from quarantine.{table} "
                "where document_id in (select document_id from _released)"
            )
        everything = "select document_id from quarantine.documents where run_id = ?"
        for table in reversed(_BATCH_TABLES):
            con.execute(f"delete from quarantine.{table} where document_id in ({everything})", [pipeline_run_id])
        con.execute(
            "update audit.quarantined_batches set released_at = ? where pipeline_run_id = ? and released_at is null",
            [now(), pipeline_run_id],
        )
        con.execute("commit")
    finally:
        con.close()
    return documents


def validate(build_db: Path, pipeline_run_id: str | None = None, *, full: bool = False) -> dict:
    """Run the Great Expectations suites and record every result in ``audit.validation_results``.

    Checks only what has not passed them yet (documents new or re-extracted
    since, ingest runs not validated) plus the whole-warehouse reconciliation,
    so a daily run costs what its new batch costs; ``full`` checks everything.
    A failed critical expectation raises ``ChecksFailed`` (nothing is
    published); the run's own batch, when ``pipeline_run_id`` is given, is
    quarantined first.
    """
    from expectations import (
        AUDIT_COLUMNS,
        CheckScope,
        ChecksFailed,
        build_data_docs,
        run_checks,
    )

    con = connect(build_db)
    try:
        con.execute(AUDIT_DDL)
        documents = con.execute(_UNVALIDATED_DOCUMENTS).fetchall()
        runs = [row[0] for row in con.execute(_UNVALIDATED_RUNS).fetchall()]
    finally:
        con.close()
    scope = None if full else CheckScope([row[0] for row in documents], runs)
    report = run_checks(build_db, scope=scope)
    print(report.summary())
    print(f"Checked {'every document' if full else f'{len(documents)} new or re-extracted document(s)'}")
    run_id = new_run_id()
    records = report.to_records(run_id, pipeline_run_id)
    con = connect(build_db)
    try:
        con.execute("begin")
        insert_rows(con, "audit.validation_results", AUDIT_COLUMNS, [tuple(r[c] for c in AUDIT_COLUMNS) for r in records])
        if report.success:
            at = now()
            insert_rows(
                con, "audit.validated_documents", ("document_id", "extracted_at", "validated_at"),
                [(document_id, extracted_at, at) for document_id, extracted_at in documents],
            )  # fmt: skip
            insert_rows(con, "audit.validated_runs", ("pipeline_run_id", "validated_at"), [(r, at) for r in runs])
        con.execute("commit")
    finally:
        con.close()
    try:
        docs = build_data_docs(report, build_db.parent / "data_docs", run_name=run_id)
        print(f"Data Docs: {docs}")
    except Exception as exc:  # noqa: BLE001 (rendering must never decide a publish)
        print(f"Data Docs not rendered: {type(exc).__name__}: {exc}")
    if not report.success:
        failed = [r.line() for r in report.failed_critical]
        if pipeline_run_id:
            count = quarantine_batch(build_db, pipeline_run_id, failed)
            print(f"Quarantined batch {pipeline_run_id}: {count} document(s) moved to quarantine.documents")
        raise ChecksFailed(report)
    passed = sum(1 for r in report.results if r.success)
    return {
        "validation_run_id": run_id, "checks": len(report.results), "passed": passed,
        "documents_checked": "all" if full else len(documents),
    }  # fmt: skip


def publish_dbt_docs(build_db: Path, out_dir: Path) -> bool:
    """Generate the dbt docs unless those in ``out_dir`` were made from the same project.

    The docs describe models, columns and their types, which only a change of
    the project changes; regenerating them costs seconds on every daily run.
    Returns whether they were generated.
    """
    from ingest.transform import generate_dbt_docs, project_fingerprint

    fingerprint = project_fingerprint()
    marker = out_dir / "project_fingerprint"
    if (out_dir / "static_index.html").exists() and marker.exists() and marker.read_text() == fingerprint:
        return False
    marker.unlink(missing_ok=True)
    generate_dbt_docs(build_db, out_dir)
    marker.write_text(fingerprint)
    return True


def publish(paths: WarehousePaths) -> Path:
    """Copy the build file over the published one atomically, with its dbt docs and dashboard.

    The copy is written beside the target and renamed over it, so a reader that
    holds the published file open keeps reading the old file until it reopens,
    and never blocks the run (nothing ever writes into the published file).
    A DuckLake is published by copying the build lake's tables into the
    published lake in one transaction (``storage.publish_lake``).
    """
    from ingest.dashboard import build_dashboard

    publish_dbt_docs(paths.build, paths.published.parent / "dbt-docs")
    if is_lake(paths.published):
        publish_lake(paths.build, paths.published)
        build_dashboard(paths.published, paths.published.with_name("dashboard.html"))
        return paths.published
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
    build_dashboard(paths.published, paths.published.with_name("dashboard.html"))
    return paths.published


def run_all(
    warehouse: str | Path,
    *,
    corpus_dir: str | Path | None = None,
    urls: Iterable[str] = (),
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    allow_private_addresses: bool | None = None,
    full: bool = False,
) -> dict:
    """Every step in order, for the CLI (the DAG calls the same functions as tasks).

    Incremental by default (dbt and the checks take in only what is new);
    ``full`` rebuilds every mart and checks every document.
    """
    paths = WarehousePaths.for_warehouse(warehouse)
    ingested = ingest_sources(
        paths.build, corpus_dir, urls, feeds, sitemaps, allow_private_addresses=allow_private_addresses
    )
    summary = {"ingest": ingested, "extract": extract_pending(paths.build)}
    summary["transform"] = transform(paths.build, full_refresh=True if full else None)
    summary["validate"] = validate(paths.build, ingested["run_id"], full=full)
    summary["published"] = str(publish(paths))
    return summary
