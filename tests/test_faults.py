"""Faults a daily pipeline meets: a run killed mid-way, a bad batch, re-runs.

Runs go through the real CLI in a subprocess (the same steps the DAG's tasks call).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLE_CORPUS

CLI = str(Path(sys.executable).with_name("policy-warehouse"))
NEW_DOCUMENT = (
    "泉州市科技局召开2024年全市科技工作会议。会议提出，到2026年，全市高新技术企业达到4000家，"
    "全社会研发经费投入达到420亿元。"
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=600, check=False)


@pytest.fixture
def published(tmp_path):
    """A corpus and a warehouse published once from it."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    warehouse = tmp_path / "wh" / "policy.duckdb"
    result = run_cli("run", "--corpus", str(corpus), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return corpus, warehouse


def kill_when(args: list[str], marker: str, env: dict) -> str:
    """Start the CLI, SIGKILL it as soon as ``marker`` appears in its output."""
    process = subprocess.Popen([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, "".join(seen[-30:])
    return "".join(seen)


@pytest.mark.parametrize(
    ("failpoint", "marker"),
    [("load", "failpoint load reached"), ("extract", "failpoint extract reached"), (None, "START sql table model")],
    ids=["during-load", "during-extraction", "during-dbt-build"],
)
def test_a_killed_run_leaves_the_published_warehouse_as_it_was(published, failpoint, marker):
    corpus, warehouse = published
    before = digest(warehouse)
    (corpus / "new.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    env = {**os.environ, "POLICY_FAILPOINT": failpoint or "", "POLICY_FAILPOINT_SECONDS": "60"}

    kill_when(["run", "--corpus", str(corpus), "--warehouse", str(warehouse)], marker, env)
    assert digest(warehouse) == before

    again = run_cli("run", "--corpus", str(corpus), "--warehouse", str(warehouse))
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        documents = con.execute("select count(*) from marts.dim_documents").fetchone()[0]
        loaded = con.execute("select count(*) from raw.ingest_log where outcome = 'loaded'").fetchone()[0]
    finally:
        con.close()
    assert documents == 6
    assert loaded == 6  # a killed load committed nothing, so the new file is loaded exactly once


def test_a_bad_batch_is_blocked_quarantined_and_rerunnable_after_a_fix(published):
    corpus, warehouse = published
    before = digest(warehouse)
    (corpus / "future.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    sidecar = corpus / "future.meta.json"
    sidecar.write_text(json.dumps({"publish_date": "2099-01-01"}), encoding="utf-8")

    blocked = run_cli("run", "--corpus", str(corpus), "--warehouse", str(warehouse))
    assert blocked.returncode == 2
    assert "critical expectation" in blocked.stderr and "publish_date" in blocked.stderr
    assert digest(warehouse) == before

    listing = run_cli("quarantine", "--warehouse", str(warehouse))
    assert "1 document(s)" in listing.stdout and "publish_date" in listing.stdout
    build = warehouse.with_name("policy.build.duckdb")
    con = duckdb.connect(str(build), read_only=True)
    try:
        assert con.execute("select publish_date from quarantine.documents").fetchall() == [
            (dt.date(2099, 1, 1),)
        ]
    finally:
        con.close()

    # The fix: a correct date. The next run loads the corrected document and publishes.
    sidecar.write_text(json.dumps({"publish_date": "2024-03-01"}), encoding="utf-8")
    fixed = run_cli("run", "--corpus", str(corpus), "--warehouse", str(warehouse))
    assert fixed.returncode == 0, fixed.stdout[-3000:] + fixed.stderr[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        dates = {row[0].isoformat() for row in con.execute("select publish_date from marts.dim_documents where publish_date is not null").fetchall()}
    finally:
        con.close()
    assert "2024-03-01" in dates and "2099-01-01" not in dates
