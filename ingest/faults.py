"""Fault cases a daily pipeline meets, run for real against the CLI in subprocesses.

Used by ``scripts/reliability.py`` (which prints the figures) and by
``tests/test_faults.py`` (which asserts them): a run killed with SIGKILL during
load, extraction or the dbt build; re-runs over the same input; a reader
holding the published file open; a bad batch; a load step retried.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

CLI = str(Path(sys.executable).with_name("policy-warehouse"))
SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "sample"
NEW_DOCUMENT = (
    "泉州市科技局召开2024年全市科技工作会议。会议提出，到2026年，全市高新技术企业达到4000家，"
    "全社会研发经费投入达到420亿元。"
)


@dataclass
class FaultResult:
    name: str
    survived: bool
    detail: str


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=900, check=False)


def kill_when(args: list[str], marker: str, env: dict) -> int:
    """Start the CLI and SIGKILL it as soon as ``marker`` appears in its output; its return code."""
    process = subprocess.Popen([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        for line in process.stdout:
            if marker in line:
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=300)
    return process.returncode


# The load history grows by one entry per input a run reads (a fetched page on every
# run; a file only when new, changed or rejected), re-runs included, by design.
OPERATIONAL_MARTS = {"fct_document_loads"}


def mart_fingerprint(warehouse: Path) -> dict:
    """Row count and an order-independent checksum of every content mart."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()]  # fmt: skip
        return {
            t: con.execute(f"select count(*), coalesce(sum(hash(m)::hugeint), 0) from marts.{t} m").fetchone()
            for t in tables
            if t not in OPERATIONAL_MARTS
        }
    finally:
        con.close()


def _count(database: Path, sql: str, params: list | None = None) -> int:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()[0]
    finally:
        con.close()


class _Scenario:
    """A corpus and a warehouse published once from it."""

    def __init__(self, workdir: Path, name: str):
        self.dir = workdir / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.corpus = self.dir / "corpus"
        shutil.copytree(SAMPLE_CORPUS, self.corpus)
        self.warehouse = self.dir / "wh" / "policy.duckdb"
        first = self.run()
        if first.returncode != 0:
            raise RuntimeError(f"the first run failed: {first.stderr[-2000:]}")

    def run(self, env: dict | None = None) -> subprocess.CompletedProcess:
        return run_cli("run", "--corpus", str(self.corpus), "--warehouse", str(self.warehouse), env=env)


def _killed(workdir: Path, name: str, failpoint: str | None, marker: str) -> FaultResult:
    s = _Scenario(workdir, name)
    before = digest(s.warehouse)
    (s.corpus / "new.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    env = {**os.environ, "POLICY_FAILPOINT": failpoint or "", "POLICY_FAILPOINT_SECONDS": "120"}
    code = kill_when(["run", "--corpus", str(s.corpus), "--warehouse", str(s.warehouse)], marker, env)
    left = processes_left(str(s.warehouse))
    untouched = digest(s.warehouse) == before
    again = s.run()
    documents = _count(s.warehouse, "select count(*) from marts.dim_documents") if again.returncode == 0 else None
    loaded = _count(s.warehouse, "select count(*) from raw.ingest_log where outcome = 'loaded'") if documents else None
    survived = (
        code == -signal.SIGKILL and not left and untouched and again.returncode == 0 and documents == 6 and loaded == 6
    )
    return FaultResult(
        name,
        survived,
        f"killed={code == -signal.SIGKILL}, processes left {left}, published unchanged={untouched}, "
        f"next run exit {again.returncode}, documents {documents}, loaded once={loaded == 6}",
    )


def processes_left(argument: str, wait_seconds: float = 10) -> list[int]:
    """Processes whose command line holds ``argument`` (a killed run's worker
    processes), once they have had ``wait_seconds`` to exit."""
    deadline = time.monotonic() + wait_seconds
    while True:
        left = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if argument in cmdline.read_bytes().decode(errors="replace").split("\0"):
                    left.append(int(cmdline.parent.name))
            except OSError:
                continue  # ended meanwhile
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def rerun_three_times(workdir: Path) -> FaultResult:
    s = _Scenario(workdir, "rerun")
    first = mart_fingerprint(s.warehouse)
    codes, same = [], True
    for _ in range(3):
        codes.append(s.run().returncode)
        same = same and mart_fingerprint(s.warehouse) == first
    return FaultResult("re-run 3× over the same input", codes == [0, 0, 0] and same, f"exit codes {codes}, marts identical={same}")


def reader_during_run(workdir: Path) -> FaultResult:
    s = _Scenario(workdir, "reader")
    (s.corpus / "new.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    reader = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        result = s.run()
        old_view = reader.execute("select count(*) from marts.dim_documents").fetchone()[0]
    finally:
        reader.close()
    new_view = _count(s.warehouse, "select count(*) from marts.dim_documents")
    survived = result.returncode == 0 and old_view == 5 and new_view == 6
    return FaultResult(
        "BI reader holds the published file open during a run",
        survived,
        f"run exit {result.returncode}, reader saw {old_view} documents until the swap, new readers {new_view}",
    )


def bad_batch(workdir: Path) -> FaultResult:
    s = _Scenario(workdir, "bad-batch")
    before = digest(s.warehouse)
    (s.corpus / "future.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    (s.corpus / "future.meta.json").write_text(json.dumps({"publish_date": "2099-01-01"}), encoding="utf-8")
    blocked = s.run()
    failed = [line.strip() for line in blocked.stderr.splitlines() if "FAILED" in line]
    unchanged = digest(s.warehouse) == before
    listing = run_cli("quarantine", "--warehouse", str(s.warehouse)).stdout
    # The fix: a correct date in the sidecar; the next run reads the document again and publishes.
    (s.corpus / "future.meta.json").write_text(json.dumps({"publish_date": "2024-03-01"}), encoding="utf-8")
    fixed = s.run()
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        dates = {str(d) for (d,) in con.execute("select publish_date from marts.dim_documents").fetchall()}
    finally:
        con.close()
    survived = (
        blocked.returncode == 2
        and unchanged
        and any("publish_date" in line for line in failed)
        and "1 document(s)" in listing
        and fixed.returncode == 0
        and "2024-03-01" in dates
        and "2099-01-01" not in dates
    )
    return FaultResult(
        "bad batch (a document dated 2099) blocked from publish",
        survived,
        f"exit {blocked.returncode}, published unchanged={unchanged}, failing expectations: {failed}; "
        f"quarantined: {'1 document(s)' in listing}; after the fix: exit {fixed.returncode}, "
        f"published with the corrected date={'2024-03-01' in dates}",
    )


def load_retried(workdir: Path) -> FaultResult:
    """An Airflow retry of the load step after it committed must not load twice."""
    from ingest.pipeline import (
        WarehousePaths,
        load_run,
        new_run_id,
        plan_batches,
        process_batch,
    )

    s = _Scenario(workdir, "load-retry")
    (s.corpus / "new.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    build = WarehousePaths.for_warehouse(s.warehouse).build
    run_id = new_run_id()
    manifests = plan_batches(build, run_id, s.corpus)
    for manifest in manifests:
        process_batch(build, manifest, workers=1)
        process_batch(build, manifest, workers=1)  # a retried batch task
    # Keep the batch files as a crash right after the commit would leave them.
    staging = manifests and Path(manifests[0]).parent
    keep = staging.with_name(staging.name + ".copy")
    shutil.copytree(staging, keep)
    first = load_run(build, run_id).as_dict()
    shutil.move(keep, staging)
    second = load_run(build, run_id).as_dict()
    logged = _count(build, "select count(*) from raw.ingest_log where run_id = ?", [run_id])
    # The five files loaded before are unchanged: counted in the plan, not logged; the new file is logged once.
    survived = first["loaded"] == 1 and first["unchanged"] == 5 and second["loaded"] == 0 and logged == 1
    return FaultResult("load step retried after it committed", survived, f"first {first}, retry {second}, log rows {logged}")


CASES: dict[str, Callable[[Path], FaultResult]] = {
    "killed-during-load": lambda w: _killed(w, "SIGKILL during load", "load", "failpoint load reached"),
    "killed-during-extraction": lambda w: _killed(
        w, "SIGKILL during cleaning and extraction", "process", "failpoint process reached"
    ),
    "killed-during-dbt": lambda w: _killed(w, "SIGKILL during the dbt build", None, "START sql table model"),
    "rerun": rerun_three_times,
    "reader": reader_during_run,
    "bad-batch": bad_batch,
    "load-retried": load_retried,
}


def run_fault_cases(workdir: str | Path, only: list[str] | None = None) -> list[FaultResult]:
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    return [case(workdir) for name, case in CASES.items() if only is None or name in only]

