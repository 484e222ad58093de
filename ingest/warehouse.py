"""The DuckDB raw layer: schema, connections and bulk loads.

The build database is the system of record: every input a run reads is
logged in ``raw.ingest_log`` (files unchanged since they were last read are
counted in ``raw.loaded_plans``, not read) and every distinct content kept in
``raw.documents``.
dbt builds the marts inside the same database; ``publish`` copies it out.
The database is a DuckDB file or a DuckLake (``ingest.storage``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from ingest import storage

# The raw tables with their keys declared; created without the key constraints (RAW_DDL).
RAW_SCHEMA = """
create schema if not exists raw;

create table if not exists raw.documents (
    document_id            varchar primary key,   -- first 16 hex digits of content_hash
    content_hash           varchar not null unique, -- sha256 of the decoded original text
    source_uri             varchar not null,      -- where it was read: file:// or the fetched URL
    url                    varchar,               -- the article's own URL, if known
    title                  varchar,
    publish_date           date,
    publish_date_precision varchar,               -- day | month
    publisher              varchar,
    region                 varchar,
    content_format         varchar not null,      -- html | markdown | text
    detected_encoding      varchar not null,
    original_text          varchar not null,      -- the input bytes decoded, unchanged
    clean_text             varchar not null,      -- main text; extraction offsets point here
    extractor_version      varchar not null,      -- text extraction: trafilatura + cleaning rules
    run_id                 varchar not null,
    loaded_at              timestamp not null
);

create table if not exists raw.ingest_log (
    run_id            varchar not null,
    source_uri        varchar not null,
    outcome           varchar not null,           -- loaded | duplicate | rejected
    reason            varchar,                    -- why rejected; which document a duplicate repeats
    document_id       varchar,
    byte_size         bigint,
    detected_encoding varchar,
    logged_at         timestamp not null
);

-- One row per document and extractor version that has been run on it, so a
-- document that yields nothing is not extracted again and again.
create table if not exists raw.extractions (
    document_id       varchar not null,
    extractor_version varchar not null,
    target_count      integer not null,
    event_count       integer not null,
    extracted_at      timestamp not null,
    primary key (document_id, extractor_version)
);

create table if not exists raw.target_mentions (
    mention_id        varchar primary key,
    document_id       varchar not null,
    extractor_version varchar not null,
    indicator         varchar not null,
    value             double not null,
    unit              varchar not null,
    comparator        varchar not null,
    target_year       integer,
    baseline_year     integer,
    evidence          varchar not null,
    evidence_start    integer not null,           -- clean_text[evidence_start:evidence_end] == evidence
    evidence_end      integer not null,
    extracted_at      timestamp not null
);

create table if not exists raw.indicator_value_mentions (
    mention_id        varchar primary key,
    document_id       varchar not null,
    extractor_version varchar not null,
    indicator         varchar not null,
    value             double not null,
    unit              varchar not null,
    period            varchar not null,           -- YYYY | YYYY-MM | YYYY-MM-DD: what the figure describes
    period_precision  varchar not null,           -- year | month | day
    value_kind        varchar not null,           -- level | change
    region            varchar,
    evidence          varchar not null,
    evidence_start    integer not null,
    evidence_end      integer not null,
    extracted_at      timestamp not null
);

-- The amounts an event states (签约项目53个, 总金额352.55亿元), one row each.
create table if not exists raw.event_measure_mentions (
    event_mention_id  varchar not null,
    measure_index     integer not null,
    document_id       varchar not null,
    extractor_version varchar not null,
    name              varchar not null,
    value             double not null,
    unit              varchar not null,
    primary key (event_mention_id, measure_index)
);

create table if not exists raw.event_mentions (
    mention_id        varchar primary key,
    document_id       varchar not null,
    extractor_version varchar not null,
    event_date        varchar not null,           -- YYYY-MM-DD | YYYY-MM | YYYY, as precise as the text
    date_precision    varchar not null,           -- day | month | year
    event_type        varchar not null,
    name              varchar not null,
    location          varchar,
    evidence          varchar not null,
    evidence_start    integer not null,
    evidence_end      integer not null,
    extracted_at      timestamp not null
);

-- Batch plans already loaded, so a retried load step never loads twice (one
-- per run, or more for a cleared and re-run DAG run). unchanged_files counts
-- the plan's files that were not read again (same size and modification time
-- as when last read): they get no row of their own in raw.ingest_log, which
-- would otherwise grow by the whole corpus every run.
create table if not exists raw.loaded_plans (
    plan_id         varchar primary key,
    run_id          varchar not null,
    loaded_at       timestamp not null,
    unchanged_files integer
);

-- Columns added after the first release; a build file from then gains them.
alter table raw.target_mentions add column if not exists region varchar;
alter table raw.target_mentions add column if not exists issuer varchar;
-- size:mtime of a file input, so an unchanged file is not read again
alter table raw.ingest_log add column if not exists source_fingerprint varchar;
alter table raw.loaded_plans add column if not exists unchanged_files integer;
"""


def _without_keys(ddl: str) -> str:
    """RAW_SCHEMA as the tables are created: without PRIMARY KEY or UNIQUE constraints.

    DuckDB rewrites a table's whole key index at every checkpoint: at 100,000
    documents that cost each load 2 s and about 500 MB of rewritten file
    blocks, and DuckLake has no such constraints at all. Nothing relies on
    them failing: ``batches.load_batches`` deduplicates in SQL; the checks
    assert the documents' and mentions' keys on every run, and the dbt source
    and staging tests every key on a full build. (A build file made before
    keeps its constraints, and their cost; both work.)
    """
    ddl = re.sub(r",\s*primary key \([^)]*\)", "", ddl)  # table-level keys; their columns are not null
    ddl = re.sub(r"\bprimary key\b", "not null", ddl)  # a key column stays non-null
    return re.sub(r"\s+unique\b", "", ddl)


RAW_DDL = _without_keys(RAW_SCHEMA)


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the build database (a DuckDB file or a DuckLake), creating the raw schema when writable."""
    con = storage.connect(path, read_only=read_only)
    if not read_only:
        con.execute(RAW_DDL)
    return con


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Bulk-insert rows through a DataFrame (one statement, not one per row); returns the count."""
    frame = pd.DataFrame(list(rows), columns=list(columns), dtype=object)
    if len(frame):
        con.register("_insert_batch", frame)
        try:
            column_list = ", ".join(columns)
            con.execute(f"insert into {table} ({column_list}) select {column_list} from _insert_batch")
        finally:
            con.unregister("_insert_batch")
    return len(frame)
