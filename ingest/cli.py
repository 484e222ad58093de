"""Command line: the pipeline's steps without Airflow, evaluation, and a summary.

    policy-warehouse run --corpus DIR --warehouse PATH
    policy-warehouse evaluate --gold FILE --corpus DIR
    policy-warehouse summary --warehouse PATH
    policy-warehouse quarantine --warehouse PATH [--release RUN_ID]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXAMPLE_QUERY = """\
select d.region, t.target_year, t.indicator, t.value, t.unit, t.comparator
from marts.fct_targets t join marts.dim_documents d using (document_id)
order by t.target_year, d.region, t.indicator
limit 10"""


def _run(args: argparse.Namespace) -> int:
    from expectations import ChecksFailed
    from ingest import pipeline

    if not (args.corpus or args.url or args.feed or args.sitemap):
        raise SystemExit("nothing to ingest: give --corpus and/or --url/--feed/--sitemap")
    try:
        steps = pipeline.run_all(
            args.warehouse,
            corpus_dir=args.corpus,
            urls=args.url or (),
            feeds=args.feed or (),
            sitemaps=args.sitemap or (),
            allow_private_addresses=args.allow_private_addresses,
            full=args.full,
        )
    except ChecksFailed as exc:
        print(exc, file=sys.stderr)
        print("Not published: the published warehouse is unchanged.", file=sys.stderr)
        return 2
    print(json.dumps(steps, ensure_ascii=False, indent=2, default=str))
    print(summary_text(Path(steps["published"])))
    return 0


def _quarantine(args: argparse.Namespace) -> int:
    import duckdb

    from ingest import storage
    from ingest.pipeline import WarehousePaths, release_batch

    build_db = WarehousePaths.for_warehouse(args.warehouse).build
    if args.release:
        count = release_batch(build_db, args.release)
        print(f"Released batch {args.release}: {count} document(s) back in raw; the next run validates them again.")
        return 0
    con = storage.connect(build_db, read_only=True)
    try:
        rows = con.execute(
            "select pipeline_run_id, quarantined_at, documents, failed_expectations from audit.quarantined_batches "
            "where released_at is null order by quarantined_at"
        ).fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        con.close()
    if not rows:
        print("No quarantined batches.")
    for run_id, at, documents, failed in rows:
        print(f"{run_id}  quarantined {at:%Y-%m-%d %H:%M}  {documents} document(s)")
        for line in json.loads(failed):
            print("    " + line.replace("\n", "\n    "))
    return 0


def summary_text(warehouse: Path) -> str:
    """What a person wants to know after a run, read from the published warehouse."""
    import duckdb

    from ingest import storage

    con = storage.connect(warehouse, read_only=True)
    try:
        outcomes = dict(con.execute("select outcome, count(*) from raw.ingest_log group by outcome").fetchall())
        # Files the last run found unchanged are counted in its plan, not logged one by one.
        try:
            unchanged = con.execute(
                "select coalesce(arg_max(unchanged_files, loaded_at), 0) from raw.loaded_plans"
            ).fetchone()[0]
        except duckdb.BinderException:  # a warehouse published before the count was kept
            unchanged = 0
        targets = con.execute("select count(*) from marts.fct_targets").fetchone()[0]
        events = con.execute("select count(*) from marts.fct_events").fetchone()[0]
        documents = con.execute("select count(*) from marts.dim_documents").fetchone()[0]
        checks = con.execute(
            "select count(*), count(*) filter (where success), "
            "count(*) filter (where not success and severity = 'warning') from audit.validation_results "
            "where run_id = (select max(run_id) from audit.validation_results)"
        ).fetchone()
        rejected = con.execute(
            "select source_uri, reason from raw.ingest_log where outcome = 'rejected' order by logged_at desc limit 5"
        ).fetchall()
        example = con.sql(EXAMPLE_QUERY).fetchall()
    finally:
        con.close()
    lines = [
        "",
        "Policy warehouse summary",
        f"  documents in warehouse : {documents}",
        "  inputs                 : "
        + ", ".join(f"{outcomes.get(k, 0)} {k}" for k in ("loaded", "duplicate", "rejected"))
        + f"; {unchanged} file(s) unchanged in the last run, not read again",
        f"  targets                : {targets}",
        f"  events                 : {events}",
        f"  checks passed          : {checks[1]} of {checks[0]} ({checks[2]} warnings, none critical)",
        f"  published warehouse    : {warehouse}",
        *(f"  rejected: {uri}: {reason}" for uri, reason in rejected),
        "",
        f"Example query ({storage.how_to_open(warehouse)}):",
        EXAMPLE_QUERY,
        "",
    ]
    lines += ["  " + " | ".join("" if v is None else str(v) for v in row) for row in example]
    return "\n".join(lines)


def _summary(args: argparse.Namespace) -> int:
    from ingest import storage

    warehouse = Path(args.warehouse)
    if not storage.exists(warehouse):
        raise SystemExit(f"no published warehouse at {warehouse}: run the pipeline first")
    print(summary_text(warehouse))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from ingest.evaluate import format_report, score
    from ingest.extract import extract
    from ingest.pipeline import prepare_corpus

    gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    predictions = {
        doc.file_name: extract(
            doc.clean_text,
            doc.publish_date,
            doc.publish_date_precision,
            region=doc.clean.region,
            issuer=doc.clean.publisher,
        )
        for doc in prepare_corpus(args.corpus)
    }
    report = score(gold, predictions)
    print(format_report(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policy-warehouse", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="ingest, extract, dbt build, validate and publish")
    run.add_argument("--corpus", help="folder of .html/.htm/.txt/.md documents")
    run.add_argument("--url", action="append", help="a page to fetch (repeatable)")
    run.add_argument("--feed", action="append", help="an RSS/Atom feed whose articles to fetch")
    run.add_argument("--sitemap", action="append", help="a sitemap whose pages to fetch")
    run.add_argument(
        "--warehouse", required=True, help="the published DuckDB file, or a DuckLake: a path ending in .ducklake"
    )
    run.add_argument(
        "--allow-private-addresses",
        action="store_true",
        help="let the web source reach loopback/private addresses (your own test server only)",
    )
    run.add_argument(
        "--full",
        action="store_true",
        help="rebuild every mart and check every document, not only what is new (the default)",
    )
    run.set_defaults(func=_run)

    evaluate = sub.add_parser("evaluate", help="score extraction against a policy-gold/1 file")
    evaluate.add_argument("--gold", required=True)
    evaluate.add_argument("--corpus", required=True)
    evaluate.set_defaults(func=_evaluate)

    quarantine = sub.add_parser("quarantine", help="list quarantined batches, or release one after a fix")
    quarantine.add_argument("--warehouse", required=True)
    quarantine.add_argument("--release", metavar="RUN_ID", help="move this batch back into raw")
    quarantine.set_defaults(func=_quarantine)

    summary = sub.add_parser("summary", help="print what the published warehouse holds")
    summary.add_argument("--warehouse", required=True)
    summary.set_defaults(func=_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
