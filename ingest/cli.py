"""Command line: the pipeline's steps without Airflow, evaluation, and a summary.

    policy-warehouse run --corpus DIR --warehouse PATH
    policy-warehouse evaluate --gold FILE --corpus DIR
    policy-warehouse summary --warehouse PATH
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
    from ingest import pipeline

    paths = pipeline.WarehousePaths.for_warehouse(args.warehouse)
    if not (args.corpus or args.url or args.feed or args.sitemap):
        raise SystemExit("nothing to ingest: give --corpus and/or --url/--feed/--sitemap")
    steps = {
        "ingest": pipeline.ingest_sources(
            paths.build,
            corpus_dir=args.corpus,
            urls=args.url or (),
            feeds=args.feed or (),
            sitemaps=args.sitemap or (),
            allow_private_addresses=args.allow_private_addresses,
        )
    }
    steps["extract"] = pipeline.extract_pending(paths.build)
    steps["transform"] = pipeline.transform(paths.build)
    steps["validate"] = pipeline.validate(paths.build)
    steps["published"] = str(pipeline.publish(paths))
    print(json.dumps(steps, ensure_ascii=False, indent=2, default=str))
    print(summary_text(paths.published))
    return 0


def summary_text(warehouse: Path) -> str:
    """What a person wants to know after a run, read from the published file."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        outcomes = dict(con.execute("select outcome, count(*) from raw.ingest_log group by outcome").fetchall())
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
        + ", ".join(f"{outcomes.get(k, 0)} {k}" for k in ("loaded", "duplicate", "rejected")),
        f"  targets                : {targets}",
        f"  events                 : {events}",
        f"  checks passed          : {checks[1]} of {checks[0]} ({checks[2]} warnings, none critical)",
        f"  published warehouse    : {warehouse}",
        *(f"  rejected: {uri}: {reason}" for uri, reason in rejected),
        "",
        "Example query (duckdb -readonly " + str(warehouse) + "):",
        EXAMPLE_QUERY,
        "",
    ]
    lines += ["  " + " | ".join("" if v is None else str(v) for v in row) for row in example]
    return "\n".join(lines)


def _summary(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        raise SystemExit(f"no published warehouse at {warehouse}: run the pipeline first")
    print(summary_text(warehouse))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from ingest.evaluate import format_report, score
    from ingest.extract import extract
    from ingest.pipeline import prepare_corpus

    gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    predictions = {
        doc.file_name: extract(doc.clean_text, doc.publish_date, doc.publish_date_precision)
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
    run.add_argument("--warehouse", required=True, help="the published DuckDB file")
    run.add_argument(
        "--allow-private-addresses",
        action="store_true",
        help="let the web source reach loopback/private addresses (your own test server only)",
    )
    run.set_defaults(func=_run)

    evaluate = sub.add_parser("evaluate", help="score extraction against a policy-gold/1 file")
    evaluate.add_argument("--gold", required=True)
    evaluate.add_argument("--corpus", required=True)
    evaluate.set_defaults(func=_evaluate)

    summary = sub.add_parser("summary", help="print what the published warehouse holds")
    summary.add_argument("--warehouse", required=True)
    summary.set_defaults(func=_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
