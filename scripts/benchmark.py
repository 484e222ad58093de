"""Benchmark the pipeline on synthetic corpora: throughput per stage, memory, incremental runs, query latency.

For each size a synthetic corpus (ingest.synthetic) is generated and measured in
its own Python process (so peak memory and dbt's global state belong to that
size alone):

  fetch      a sample of >= 500 documents through ingest.sources.web.iter_web from
             a threaded http.server on 127.0.0.1 (no per-host delay)
  read       ingest.sources.folder.iter_folder over the whole corpus
  clean      ingest.pipeline.prepare on every input (decode + trafilatura /
             Markdown / text cleaning), measured standalone, one process
  trafilatura-only   trafilatura.bare_extraction on the HTML pages only (already
             decoded, the cleaner's own options), the floor for one page's cost
  ingest     ingest_folder: read + clean + load into DuckDB (the pipeline step);
             "load" is printed as ingest - read - clean when that is positive
  extract    extract_pending;  dbt build  transform;  checks  validate;  publish
  end-to-end ingest -> extract -> dbt build -> checks -> publish (wall time)
  incremental  1% new documents added to the corpus folder, then the same five
             steps again on the loaded warehouse; wall time and ratio to the full run
  nothing new  the same five steps once more with no new documents: ingest finds
             every file unchanged, the dbt build is skipped (nothing it reads
             changed), only the whole-warehouse checks run, publish runs

Then a copy of the largest published warehouse is grown to ~1M targets
(INSERT ... SELECT of its targets into fct_targets, target_progress and
target_revisions) and the analyst guide's queries (docs/queries/*.sql) are
timed as a BI tool sends them, with a row limit of 1,000 (and fetching their
whole result), then five aggregate queries (median of 20 runs, after one warm-up;
the runs are interleaved, each round running every query once, so that a pause
of the machine falls on all the queries alike rather than on one of them).

Duration on 2 cores: 1k documents ~1 min, 10k ~3-6 min, 100k ~12-40 min
(cleaning dominates and is measured three times: clean, trafilatura-only and
inside ingest; above --stage-sample documents, default 20,000, the one-process
stages run on an even sample and their seconds are scaled to the corpus).
Peak memory is the sampled peak PSS of the size's process tree (and ru_maxrss).

Usage: python scripts/benchmark.py [--sizes 1000,10000] [--workdir DIR] [--stage-sample N] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DOCUMENT_SUFFIXES = {".html", ".htm", ".txt", ".md"}
TRAFILATURA_OPTIONS = {
    "with_metadata": True,
    "favor_recall": True,
    "include_tables": True,
    "include_comments": False,
    "deduplicate": False,
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}  # fmt: skip  (the options ingest.clean passes)
QUERY_ROWS = 1_000_000
QUERY_RUNS = 20
MB = 1024 * 1024


# --------------------------------------------------------------------------- helpers


def _documents(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.suffix in DOCUMENT_SUFFIXES and not p.name.endswith(".meta.json")
    )  # fmt: skip


class TreeMemory:
    """The peak of this process tree's memory, sampled from /proc every 0.2 s.

    Sums PSS (proportional set size), which splits a page shared by several
    processes among them: ru_maxrss counts a forked child's shared copy-on-write
    pages again in full, so "process + largest child" overstates a real peak.
    """

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, _tree_pss_mb(os.getpid()))

    @property
    def available(self) -> bool:
        return Path(f"/proc/{os.getpid()}/smaps_rollup").exists()


def _tree_peak(memory: dict) -> str:
    peak = memory.get("tree_pss_peak")
    return f"{peak:,.0f} MB" if peak is not None else "(no /proc: not sampled)"


def _tree_pss_mb(root: int) -> float:
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])  # KiB
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total / 1024


def _peak_memory_mb() -> dict[str, float]:
    # ru_maxrss is in KiB on Linux.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own, 1), "children": round(children, 1)}


@contextlib.contextmanager
def _quiet():
    """Swallow what dbt and the checks print; show it only if the stage fails."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            yield
    except BaseException:
        sys.stderr.write(out.getvalue()[-5000:])
        raise


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serve(folder: Path):
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _stage(
    name: str, seconds: float, documents: int, size_bytes: int, note: str = ""
) -> dict:
    return {
        "stage": name,
        "seconds": seconds,
        "documents": documents,
        "bytes": size_bytes,
        "note": note,
    }


# --------------------------------------------------------------------------- one size (child process)


def measure_fetch(folder: Path, files: list[Path], sample: int) -> dict:
    from ingest.sources.web import FetchSettings, iter_web

    chosen = files if len(files) <= sample else random.Random(0).sample(files, sample)
    settings = FetchSettings(
        allow_private_addresses=True, per_host_delay_seconds=0, attempts=1
    )
    with _serve(folder) as base:
        urls = [f"{base}/{p.name}" for p in chosen]
        started = time.perf_counter()
        fetched = errors = size = 0
        for raw in iter_web(urls, settings=settings):
            if raw.error:
                errors += 1
            else:
                fetched += 1
                size += len(raw.data or b"")
        seconds = time.perf_counter() - started
    return _stage(
        "fetch (loopback HTTP)",
        seconds,
        fetched,
        size,
        f"sample of {len(urls)}, {errors} errors",
    )


def measure_read_clean_extract(folder: Path, files: list[Path]) -> tuple[dict, dict, dict]:
    """read (read_document), clean (prepare) and extract each input in one process, timed apart."""
    from ingest.extract import extract
    from ingest.pipeline import RejectedInput, prepare
    from ingest.sources.folder import read_document

    read_seconds = clean_seconds = extract_seconds = 0.0
    count = size = rejected = extracted = targets = events = 0
    formats: dict[str, int] = {}
    inputs = (read_document(path, folder) for path in files)
    while True:
        started = time.perf_counter()
        raw = next(inputs, None)
        read_seconds += time.perf_counter() - started
        if raw is None:
            break
        count += 1
        size += len(raw.data or b"")
        started = time.perf_counter()
        try:
            doc = prepare(raw)
        except RejectedInput:
            rejected += 1
            clean_seconds += time.perf_counter() - started
            continue
        clean_seconds += time.perf_counter() - started
        formats[doc.clean.content_format] = formats.get(doc.clean.content_format, 0) + 1
        started = time.perf_counter()
        result = extract(
            doc.clean_text, doc.publish_date, doc.publish_date_precision,
            region=doc.clean.region, issuer=doc.clean.publisher,
        )  # fmt: skip
        extract_seconds += time.perf_counter() - started
        extracted += 1
        targets += len(result.targets)
        events += len(result.events)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(formats.items()))
    return (
        _stage("read (folder)", read_seconds, count, size),
        _stage("clean (prepare, 1 process)", clean_seconds, count, size, f"{kinds}, {rejected} rejected"),
        _stage("extract (1 process)", extract_seconds, extracted, size, f"{targets} targets, {events} events"),
    )  # fmt: skip


def measure_trafilatura_only(files: list[Path]) -> dict:
    import trafilatura

    from ingest.encoding import decode_bytes

    seconds, count, size = 0.0, 0, 0
    for path in files:
        if path.suffix not in (".html", ".htm"):
            continue
        data = path.read_bytes()
        text, _ = decode_bytes(data)
        started = time.perf_counter()
        trafilatura.bare_extraction(text, **TRAFILATURA_OPTIONS)
        seconds += time.perf_counter() - started
        count += 1
        size += len(data)
    return _stage(
        "trafilatura only (HTML)",
        seconds,
        count,
        size,
        "bare_extraction, cleaner's options",
    )


def run_pipeline(
    paths, folder: Path, documents: int, size_bytes: int, label: str
) -> tuple[list[dict], dict]:
    """The five pipeline steps, timed one by one; returns the stages and the step summaries."""
    from ingest.pipeline import (
        extract_pending,
        ingest_folder,
        new_run_id,
        publish,
        transform,
        validate,
    )

    run_id = new_run_id()
    stages, summaries = [], {}
    started_all = time.perf_counter()
    steps = [
        ("ingest", lambda: ingest_folder(paths.build, folder, run_id).as_dict()),
        ("extract", lambda: extract_pending(paths.build)),
        ("dbt build", lambda: transform(paths.build)),
        ("checks", lambda: validate(paths.build, run_id)),
        ("publish", lambda: str(publish(paths))),
    ]
    for name, step in steps:
        _log(f"{label}: {name}")
        started = time.perf_counter()
        with _quiet():
            summaries[name] = step()
        seconds = time.perf_counter() - started
        note = ""
        if name == "ingest":
            s = summaries[name]
            note = (
                f"loaded {s['loaded']}, duplicate {s['duplicate']}, rejected {s['rejected']}, "
                f"unchanged {s.get('unchanged', 0)}"
            )
        elif name == "extract":
            s = summaries[name]
            note = (
                f"{s['documents']} docs → {s['targets']} targets, {s['events']} events"
            )
        elif name == "dbt build":
            note = summaries[name].get("mode", "")
        elif name == "checks":
            note = f"{summaries[name].get('documents_checked')} document(s) checked"
        stages.append(_stage(name, seconds, documents, size_bytes, note))
    total = time.perf_counter() - started_all
    stages.append(_stage("end-to-end (ingest→publish)", total, documents, size_bytes))
    return stages, summaries


def _pipeline_workers() -> int:
    """Worker processes the pipeline's ingest step uses (1 for a pipeline without a pool)."""
    import ingest.pipeline

    default_workers = getattr(ingest.pipeline, "default_workers", None)
    return max(1, int(default_workers())) if default_workers else 1


def measure_size(size: int, workdir: Path, seed: int, fetch_sample: int, stage_sample: int) -> dict:
    from ingest.pipeline import WarehousePaths
    from ingest.synthetic import generate_corpus

    base = workdir / f"n{size}"
    shutil.rmtree(base, ignore_errors=True)
    folder = base / "corpus"
    result: dict = {"size": size, "stages": [], "incremental": {}}

    _log(f"{size}: generating corpus")
    started = time.perf_counter()
    generate_corpus(folder, size, seed=seed)
    generate_seconds = time.perf_counter() - started
    files = _documents(folder)
    corpus_bytes = sum(p.stat().st_size for p in files)
    html = [p for p in files if p.suffix in (".html", ".htm")]
    result["corpus"] = {
        "documents": len(files), "bytes": corpus_bytes, "html_documents": len(html),
        "html_bytes": sum(p.stat().st_size for p in html),
    }  # fmt: skip
    result["stages"].append(
        _stage("generate (synthetic)", generate_seconds, len(files), corpus_bytes)
    )

    _log(f"{size}: fetch over loopback")
    result["stages"].append(measure_fetch(folder, files, fetch_sample))
    # On a large corpus the one-process stages run on an even sample of it, and
    # their seconds are scaled to the whole corpus ("scaled_seconds").
    sample = files if len(files) <= stage_sample else files[:: -(-len(files) // stage_sample)]
    _log(f"{size}: read + clean + extract, one process, {len(sample):,} documents")
    read, clean, extract = measure_read_clean_extract(folder, sample)
    _log(f"{size}: trafilatura only")
    trafilatura_only = measure_trafilatura_only(sample)
    html_sampled = sum(1 for p in sample if p.suffix in (".html", ".htm"))
    for stage, whole, part in ((read, len(files), len(sample)), (clean, len(files), len(sample)),
                               (extract, len(files), len(sample)), (trafilatura_only, len(html), html_sampled)):
        stage["scaled_seconds"] = stage["seconds"] * whole / max(part, 1)
        if part < whole:
            stage["note"] += f"; sample of {part:,} of {whole:,}, {stage['scaled_seconds']:.0f} s scaled"
    result["stages"] += [read, clean, extract, trafilatura_only]

    paths = WarehousePaths.for_warehouse(base / "warehouse.duckdb")
    stages, summaries = run_pipeline(
        paths, folder, len(files), corpus_bytes, f"{size} full"
    )
    # The pipeline's ingest step may clean and extract in worker processes; what is
    # left of it beyond that work spread over the workers is the load (and overhead).
    workers = _pipeline_workers()
    extracted_in_ingest = summaries["extract"].get("documents", 0) == 0
    work = (
        read["scaled_seconds"]
        + clean["scaled_seconds"]
        + (extract["scaled_seconds"] if extracted_in_ingest else 0.0)
    )
    load = stages[0]["seconds"] - work / workers
    stages[0]["note"] += f"; {workers} worker(s)" + (
        "; extracts on the way" if extracted_in_ingest else ""
    )
    stages.insert(
        1,
        _stage(
            "  load + overhead (derived)", max(load, 0.0), len(files), corpus_bytes,
            f"ingest − (read+clean{'+extract' if extracted_in_ingest else ''}) / {workers}",
        ),
    )  # fmt: skip
    result["workers"] = workers
    result["stages"] += stages
    result["summaries"] = summaries
    result["end_to_end_seconds"] = stages[-1]["seconds"]
    result["memory_after_full_mb"] = _peak_memory_mb()
    result["warehouse_bytes"] = paths.published.stat().st_size
    result["build_bytes"] = paths.build.stat().st_size if paths.build.exists() else None

    # Incremental: 1% new documents land in the same folder; the same steps run again.
    new = max(1, size // 100)
    _log(f"{size}: incremental run with {new} new documents")
    batch = base / "new_batch"
    generate_corpus(batch, new, seed=seed, first_index=size)
    new_files = _documents(batch)
    new_bytes = sum(p.stat().st_size for p in new_files)
    for path in new_files:
        path.rename(folder / path.name)
    inc_stages, inc_summaries = run_pipeline(
        paths, folder, len(new_files), new_bytes, f"{size} incremental"
    )
    result["incremental"] = {
        "new_documents": len(new_files), "new_bytes": new_bytes, "stages": inc_stages, "summaries": inc_summaries,
        "seconds": inc_stages[-1]["seconds"],
    }  # fmt: skip
    result["warehouse_bytes_after_incremental"] = paths.published.stat().st_size
    # Then a run with nothing new: what a scheduled run that finds nothing costs.
    _log(f"{size}: a run with no new documents")
    idle_stages, idle_summaries = run_pipeline(paths, folder, 0, 0, f"{size} nothing new")
    result["nothing_new"] = {"stages": idle_stages, "summaries": idle_summaries, "seconds": idle_stages[-1]["seconds"]}
    result["memory_mb"] = _peak_memory_mb()  # the size's peak, over all three runs
    result["published"] = str(paths.published)
    return result


# --------------------------------------------------------------------------- analyst queries

QUERIES = {
    "targets due in 2025 by region": """
        select region, count(*) as targets, count(distinct indicator) as indicators
        from marts.fct_targets where target_year = 2025
        group by region order by targets desc""",
    "latest reported value per indicator/region": """
        select indicator, region, arg_max(value, period_start) as value, arg_max(unit, period_start) as unit,
               max(period_start) as period
        from marts.fct_indicator_values where value_kind = 'level'
        group by indicator, region""",
    "indicators with several target values": """
        select indicator, count(distinct value) as values_, min(value) as low, max(value) as high,
               count(*) as targets
        from marts.fct_targets
        group by indicator having count(distinct value) > 1
        order by values_ desc limit 100""",
    "events in a month": """
        select event_date, event_type, name, location, document_id
        from marts.fct_events
        where event_date >= date '2023-05-01' and event_date < date '2023-06-01'
        order by event_date""",
    "documents loaded by day": """
        select cast(loaded_at as date) as day, count(*) as documents
        from marts.dim_documents group by day order by day""",
}


# The target marts grown for the query test: each copy gets new ids and its
# deadline shifted by up to 4 years, so a year filter does not see one value 100 times.
GROWN_TABLES = {
    "fct_targets": "b.target_id || '-' || r.i as target_id",
    "target_progress": "b.target_id || '-' || r.i as target_id",
    "target_revisions": "b.target_id || '-' || r.i as target_id, b.revision_chain_id || '-' || r.i as revision_chain_id",
}
DOCUMENTED_QUERIES = ROOT / "docs" / "queries"
# What a BI tool fetches of a result: Superset's SQL Lab shows 1,000 rows by
# default (Metabase 2,000, DBeaver pages 200 at a time).
BI_ROW_LIMIT = 1000


def _time_queries(con, queries: dict[str, str], runs: int) -> dict[str, dict]:
    """Median and max milliseconds of each query over ``runs`` rounds, after one warm-up.

    Each round runs every query once: on a shared machine a pause lasting a
    second or two then slows one run of each query, instead of every run of
    whichever query was being timed.
    """
    rows = {name: len(con.execute(sql).fetchall()) for name, sql in queries.items()}  # warm-up
    timings: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(runs):
        for name, sql in queries.items():
            started = time.perf_counter()
            con.execute(sql).fetchall()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {
        name: {"median_ms": statistics.median(t), "max_ms": max(t), "rows": rows[name]}
        for name, t in timings.items()
    }


def measure_queries(published: Path, workdir: Path, rows: int = QUERY_ROWS) -> dict:
    """The analyst queries on a copy of ``published`` grown to ~``rows`` targets.

    The documented queries (docs/queries/*.sql, the analyst guide's questions)
    are timed as a BI tool sends them, with a row limit, and also fetching
    their whole result; then a few aggregate queries over the large marts.
    """
    import duckdb

    copy = workdir / "analyst_1m.duckdb"
    shutil.copyfile(published, copy)
    con = duckdb.connect(str(copy))
    try:
        base = con.execute("select count(*) from marts.fct_targets").fetchone()[0]
        if not base:
            raise RuntimeError("marts.fct_targets is empty: nothing to replicate")
        copies = max(1, -(-rows // base))  # ceil
        for table, new_ids in GROWN_TABLES.items():
            con.execute(f"create temp table base_rows as select * from marts.{table}")
            con.execute(
                f"""
                insert into marts.{table}
                select b.* replace ({new_ids}, b.target_year + (r.i % 5) as target_year)
                from base_rows b, range(1, ?) r(i)
                """,
                [copies],
            )
            con.execute("drop table base_rows")
        con.execute("checkpoint")
        counts = {
            table: con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            for table in (*GROWN_TABLES, "fct_indicator_values", "fct_events", "dim_documents", "fct_document_loads")
        }
    finally:
        con.close()
    con = duckdb.connect(str(copy), read_only=True)
    try:
        documented_sql = {
            path.stem: path.read_text(encoding="utf-8").strip().rstrip(";")
            for path in sorted(DOCUMENTED_QUERIES.glob("*.sql"))
        }
        documented = _time_queries(
            con, {name: f"{sql}\nlimit {BI_ROW_LIMIT}" for name, sql in documented_sql.items()}, QUERY_RUNS
        )
        for name, whole in _time_queries(con, documented_sql, 3).items():
            documented[name]["whole_result"] = whole
        aggregate = _time_queries(con, QUERIES, QUERY_RUNS)
    finally:
        con.close()
    return {"rows": counts, "documented": documented, "queries": aggregate, "file_bytes": copy.stat().st_size}


# --------------------------------------------------------------------------- printing


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.1f}" if seconds > 0 else f"{'—':>10}"


def _mbps(size: int, seconds: float) -> str:
    return f"{size / MB / seconds:>8,.2f}" if seconds > 0 else f"{'—':>8}"


def _stage_table(stages: list[dict]) -> list[str]:
    lines = [
        f"  {'stage':<32} {'docs':>7} {'seconds':>9} {'docs/s':>10} {'MB/s':>8}  note"
    ]
    lines.append("  " + "-" * (len(lines[0]) + 30))
    for s in stages:
        lines.append(
            f"  {s['stage']:<32} {s['documents']:>7,} {s['seconds']:>9.2f} {_rate(s['documents'], s['seconds'])} "
            f"{_mbps(s['bytes'], s['seconds'])}  {s['note']}"
        )
    return lines


def format_size(result: dict) -> str:
    corpus = result["corpus"]
    by_name = {s["stage"]: s for s in result["stages"]}
    lines = [
        "",
        (
            f"== {result['size']:,} documents: {corpus['bytes'] / MB:.1f} MB "
            f"({corpus['html_documents']:,} HTML pages, {corpus['html_bytes'] / MB:.1f} MB) =="
        ),
        *_stage_table(result["stages"]),
    ]
    e2e = by_name["end-to-end (ingest→publish)"]
    tra = by_name["trafilatura only (HTML)"]
    e2e_rate = e2e["documents"] / e2e["seconds"]
    tra_rate = tra["documents"] / tra["seconds"] if tra["seconds"] else float("nan")
    # Same documents: trafilatura-only costs its seconds for the HTML pages and nothing for
    # the others, so the throughput ratio on this corpus is the ratio of the times.
    share = tra.get("scaled_seconds", tra["seconds"]) / e2e["seconds"]
    inc = result["incremental"]
    memory = result["memory_mb"]
    lines += [
        "",
        f"  end-to-end wall time         {e2e['seconds']:.1f} s  ({e2e_rate:,.1f} docs/s)",
        (
            f"  trafilatura-only             {tra['seconds']:.1f} s for the {tra['documents']:,} HTML pages "
            f"({tra_rate:,.1f} pages/s; {tra.get('scaled_seconds', tra['seconds']):.1f} s for all "
            f"{result['corpus']['html_documents']:,}); end-to-end throughput / trafilatura-only throughput "
            f"on the same documents = {share:.2f}  (target ≥ 0.50)"
        ),
        (
            f"  peak memory                  {_tree_peak(memory)} of the whole process tree (PSS, sampled; "
            f"target ≤ 1,500 MB); ru_maxrss {memory['self']:,.0f} MB (process), {memory['children']:,.0f} MB "
            f"(largest child, counting pages it shares with its parent); after the full run "
            f"{result['memory_after_full_mb']['self']:,.0f} MB"
        ),
        f"  warehouse size               {result['warehouse_bytes'] / MB:,.1f} MB published"
        + (
            f", {result['build_bytes'] / MB:,.1f} MB build file"
            if result.get("build_bytes")
            else ""
        ),
        "",
        f"  incremental: +{inc['new_documents']:,} documents ({inc['new_bytes'] / MB:.2f} MB) to the loaded warehouse",
        *_stage_table(inc["stages"]),
        (
            f"  incremental wall time        {inc['seconds']:.1f} s = {inc['seconds'] / e2e['seconds']:.1%} "
            "of the full run  (target ≤ 10%)"
        ),
    ]
    if idle := result.get("nothing_new"):
        steps = ", ".join(
            f"{s['stage']} {s['seconds']:.2f}" for s in idle["stages"] if not s["stage"].startswith("end-to-end")
        )
        lines.append(
            f"  a run with nothing new       {idle['seconds']:.1f} s = {idle['seconds'] / e2e['seconds']:.1%} "
            f"of the full run ({steps} s); the incremental run took "
            f"{inc['seconds'] - idle['seconds']:.1f} s more"
        )
    return "\n".join(lines)


def format_summary(results: list[dict], queries: dict | None) -> str:
    lines = ["", "== summary =="]
    header = (
        f"  {'documents':>9} {'MB':>7} {'e2e s':>8} {'e2e doc/s':>10} {'trafil. s':>10} {'ratio':>6} "
        f"{'incr. s':>8} {'incr/full':>9} {'peak MB':>8} {'wh MB':>7}"
    )
    lines += [header, "  " + "-" * (len(header) - 2)]
    for r in results:
        by_name = {s["stage"]: s for s in r["stages"]}
        e2e, tra = (
            by_name["end-to-end (ingest→publish)"],
            by_name["trafilatura only (HTML)"],
        )
        e2e_rate = e2e["documents"] / e2e["seconds"]
        share = tra.get("scaled_seconds", tra["seconds"]) / e2e["seconds"]
        peak = r["memory_mb"].get("tree_pss_peak") or r["memory_mb"]["self"] + r["memory_mb"]["children"]
        lines.append(
            f"  {r['size']:>9,} {r['corpus']['bytes'] / MB:>7.1f} {e2e['seconds']:>8.1f} {e2e_rate:>10.1f} "
            f"{tra.get('scaled_seconds', tra['seconds']):>10.1f} {share:>6.2f} {r['incremental']['seconds']:>8.1f} "
            f"{r['incremental']['seconds'] / e2e['seconds']:>9.1%} {peak:>8,.0f} {r['warehouse_bytes'] / MB:>7.1f}"
        )
    if queries:
        rows = queries["rows"]
        lines += [
            "",
            (
                f"== analyst queries: {rows['fct_targets']:,} targets, {rows['fct_indicator_values']:,} reported "
                f"values, {rows['fct_events']:,} events, {rows['dim_documents']:,} documents "
                f"({queries['file_bytes'] / MB:,.0f} MB file); median of {QUERY_RUNS} runs (target ≤ 50 ms) =="
            ),
        ]
        lines.append(
            f"  the analyst guide's queries (docs/queries), as a BI tool sends them (limit {BI_ROW_LIMIT:,});"
            " then fetching the whole result:"
        )
        for name, t in queries["documented"].items():
            whole = t["whole_result"]
            lines.append(
                f"  {name:<45} {t['median_ms']:>8.1f} ms   (max {t['max_ms']:.1f} ms)"
                f"   whole result: {whole['median_ms']:,.0f} ms for {whole['rows']:,} rows"
            )
        lines.append("  aggregate queries over the large marts:")
        for name, t in queries["queries"].items():
            lines.append(
                f"  {name:<45} {t['median_ms']:>8.1f} ms   (max {t['max_ms']:.1f} ms, {t['rows']:,} rows)"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def _child(args: argparse.Namespace) -> int:
    with TreeMemory() as tree:
        result = measure_size(args.one_size, args.workdir, args.seed, args.fetch_sample, args.stage_sample)
    result["memory_mb"]["tree_pss_peak"] = round(tree.peak_mb, 1) if tree.available else None
    Path(args.result_file).write_text(json.dumps(result, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Duration on 2 cores: 1k ~1 min, 10k ~3-6 min, 100k ~12-40 min (--sizes 1000,10000,100000).",
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="corpus sizes, comma-separated (default 1000,10000)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where corpora and warehouses go (default: a temp folder)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--fetch-sample",
        type=int,
        default=500,
        help="documents fetched over HTTP (default 500)",
    )
    parser.add_argument(
        "--stage-sample",
        type=int,
        default=20_000,
        help="documents the one-process stages (read, clean, extract, trafilatura-only) run on; "
        "larger corpora are sampled evenly and their seconds scaled (default 20000)",
    )
    parser.add_argument(
        "--query-rows",
        type=int,
        default=QUERY_ROWS,
        help="fct_targets rows for the query test",
    )
    parser.add_argument(
        "--no-queries", action="store_true", help="skip the analyst query latency test"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the corpora and warehouses"
    )
    parser.add_argument(
        "--json", type=Path, help="also write all figures to this JSON file"
    )
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_size:
        return _child(args)

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="policy-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in sizes:
            result_file = workdir / f"result_{size}.json"
            command = [
                sys.executable, __file__, "--one-size", str(size), "--workdir", str(workdir), "--seed", str(args.seed),
                "--fetch-sample", str(args.fetch_sample), "--stage-sample", str(args.stage_sample),
                "--result-file", str(result_file),
            ]  # fmt: skip
            started = time.perf_counter()
            subprocess.run(
                command, check=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
            )
            _log(f"{size}: done in {time.perf_counter() - started:.0f} s")
            result = json.loads(result_file.read_text())
            results.append(result)
            print(format_size(result), flush=True)
        queries = None
        if not args.no_queries and results:
            _log(f"analyst queries on ~{args.query_rows:,} targets")
            queries = measure_queries(
                Path(results[-1]["published"]), workdir, args.query_rows
            )
        print(format_summary(results, queries), flush=True)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {"sizes": results, "queries": queries}, ensure_ascii=False, indent=1
                )
            )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nkept: {workdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
