"""Faults a daily pipeline meets, each run for real (see ingest/faults.py): a run
killed with SIGKILL during load, extraction or dbt; re-runs; a reader holding
the published file; a bad batch; a retried load step."""

from __future__ import annotations

import pytest

from ingest.faults import CASES, run_fault_cases


@pytest.mark.parametrize("case", list(CASES))
def test_fault_case_is_survived(case, tmp_path):
    [result] = run_fault_cases(tmp_path, only=[case])
    assert result.survived, f"{result.name}: {result.detail}"
