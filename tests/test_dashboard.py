"""The dashboard of a real published warehouse, rendered in headless Chromium.

The sample corpus goes through the whole pipeline; ``build_dashboard`` writes
the page from the published file (read-only); Chromium renders it, dumps the
DOM (the numbers in it must be the warehouse's) and takes a screenshot, kept
under build/test-artifacts/dashboard.png. Needs Debian's ``chromium`` package
(and ``fonts-noto-cjk`` for legible Chinese in the screenshot).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from ingest.dashboard import build_dashboard
from ingest.pipeline import run_all

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "build" / "test-artifacts"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("chromium is not installed: scripts/test.sh installs it (apt-get install -y chromium fonts-noto-cjk)")


def run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
            "--window-size=1400,2000", *args, page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("dashboard") / "policy.duckdb"
    run_all(warehouse, corpus_dir=ROOT / "corpus" / "sample")
    return warehouse


def test_dashboard_renders_the_warehouse_numbers(published, tmp_path):
    page = build_dashboard(published, published.with_name("dashboard.html"))
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # no CDN

    con = duckdb.connect(str(published), read_only=True)
    try:
        counts = {
            "documents": con.execute("select count(*) from marts.dim_documents").fetchone()[0],
            "targets": con.execute("select count(*) from marts.fct_targets").fetchone()[0],
            "events": con.execute("select count(*) from marts.fct_events").fetchone()[0],
        }
        by_year = con.execute(
            "select cast(target_year as varchar), count(*) from marts.fct_targets "
            "where target_year is not null group by 1"
        ).fetchall()
        unknown = con.execute("select count(*) from marts.target_progress where status = 'unknown'").fetchone()[0]
        checks = con.execute(
            "select count(*), count(*) filter (where success) from audit.validation_results "
            "where run_id = (select max(run_id) from audit.validation_results)"
        ).fetchone()
        event_names = [r[0] for r in con.execute("select name from marts.fct_events").fetchall()]
    finally:
        con.close()
    assert counts == {"documents": 5, "targets": counts["targets"], "events": counts["events"]}
    assert counts["targets"] > 0 and counts["events"] > 0

    dump = run_chromium(page, tmp_path / "profile-dom", "--dump-dom")
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = dump.stdout
    assert 'data-rendered="true"' in dom  # the page's script ran

    def kpi(name: str) -> str:
        match = re.search(rf'data-kpi="{name}"><span class="value[^"]*">([^<]*)</span>', dom)
        assert match, name
        return match.group(1)

    assert kpi("documents") == "5"
    assert kpi("targets") == str(counts["targets"])
    assert kpi("events") == str(counts["events"])
    assert kpi("checks") == f"{checks[1]}/{checks[0]}"
    assert kpi("rejected") == "0"
    for year, n in by_year:
        assert f'data-label="{year}" data-count="{n}"' in dom
    assert re.search(rf'data-status="unknown">.*?<span class="value">{unknown}</span>', dom)
    # The sample's headline target and events are on the page.
    assert "= 360 亿元" in dom and "全社会研发经费投入" in dom
    assert all(name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in dom for name in event_names)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "dashboard.png"
    screenshot.unlink(missing_ok=True)
    shot = run_chromium(page, tmp_path / "profile-shot", f"--screenshot={screenshot}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
