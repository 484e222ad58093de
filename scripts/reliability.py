"""Reliability figures: every kind of hostile input, what became of it, and the totals.

Usage: python scripts/reliability.py [--workdir DIR] [--keep] [--only-problems] [--skip-faults]
Writes a throwaway corpus, runs a misbehaving HTTP server on 127.0.0.1, ingests
both through the real loader into a scratch build DuckDB and prints, per input,
the expected and actual outcome with the logged reason, then the totals.
Then runs the fault cases (ingest/faults.py: SIGKILL during load, extraction
and dbt, re-runs, a reader during a run, a bad batch, a retried load) and
prints whether each was survived. Exits 1 when an input was lost, ended
otherwise than expected, the counts do not reconcile, or a fault case failed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.faults import FaultResult, run_fault_cases
from ingest.reliability import ReliabilityReport, run_reliability


def _cell(value: object, width: int) -> str:
    text = str(value if value is not None else "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _short_reason(reason: str | None, source_uri: str) -> str:
    """The logged reason without the URL it repeats, so the cause fits the column."""
    text = (reason or "").replace(f"download error: {source_uri} ", "").replace(source_uri, "<input>")
    if "(Caused by " in text:  # urllib3: "HTTPConnectionPool(...): Max retries exceeded ... (Caused by X)"
        head, cause = text.split("(Caused by ", 1)
        text = head.split(":", 1)[0] + ": " + cause.removesuffix(")")
    return text


def print_inputs(report: ReliabilityReport, only_problems: bool = False) -> None:
    print("== Hostile inputs ==")
    columns = (("", 3), ("source", 4), ("case", 28), ("input", 34), ("expected", 9), ("actual", 9), ("reason", 70))
    print("  ".join(name.ljust(width) for name, width in columns))
    for r in report.results:
        if only_problems and r.ok:
            continue
        reason = _short_reason(r.reason, r.source_uri)
        row = ("ok" if r.ok else "BAD", r.source, r.case, r.input, r.expected, r.actual, reason)
        print("  ".join(_cell(v, w).ljust(w) for v, (_, w) in zip(row, columns, strict=True)).rstrip())
        for problem in r.problems:
            print(f"       ! {problem}")
    for uri in report.unexpected:
        print(f"BAD  unexpected ingest_log row: {uri}")
    for crash in report.crashes:
        print(f"BAD  the loader raised: {crash}")


def print_totals(report: ReliabilityReport) -> None:
    kinds = ", ".join(f"{n} {source}" for source, n in sorted(report.kinds_by_source.items()))
    print("== Hostile input totals ==")
    print(f"kinds of bad input tried:  {report.kinds} ({kinds})")
    print(f"inputs:                    {report.inputs}")
    print(f"loaded:                    {report.loaded}")
    print(f"duplicates:                {report.duplicates}")
    print(f"rejected (with a reason):  {report.rejected} ({report.rejected_with_reason})")
    print(f"lost:                      {report.lost}")
    balance = report.loaded + report.duplicates + report.rejected
    verdict = "reconciles" if report.reconciles else "DOES NOT RECONCILE"
    print(f"inputs = loaded + duplicates + rejected: {report.inputs} = {balance} ({verdict})")
    print(f"ended as expected:         {len(report.results) - len(report.mismatches)}/{len(report.results)}")
    print(f"run id / time:             {report.run_id} / {report.seconds:.1f} s")


def print_faults(faults: list[FaultResult]) -> None:
    print("== Fault cases ==")
    for f in faults:
        print(f"{'survived' if f.survived else 'FAILED  '}  {f.name}: {f.detail}")
    print(f"fault cases tried: {len(faults)}, survived: {sum(f.survived for f in faults)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where to write the corpus and build DuckDB (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (to inspect raw.ingest_log)")
    parser.add_argument("--only-problems", action="store_true", help="list only inputs that did not end as expected")
    parser.add_argument("--skip-faults", action="store_true", help="hostile inputs only (the fault cases take minutes)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="reliability-"))
    try:
        report = run_reliability(workdir)
        print_inputs(report, args.only_problems)
        print()
        print_totals(report)
        faults = [] if args.skip_faults else run_fault_cases(workdir / "faults")
        if faults:
            print()
            print_faults(faults)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.workdir is None:
            print(f"kept: {workdir}")
    return 0 if report.ok and all(f.survived for f in faults) else 1


if __name__ == "__main__":
    sys.exit(main())
