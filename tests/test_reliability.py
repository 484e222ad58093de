"""The hostile-input harness: every bad input ends loaded, duplicate or rejected with its reason."""

from __future__ import annotations

import pytest

from ingest.reliability import run_reliability


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return run_reliability(tmp_path_factory.mktemp("reliability"))


def test_the_loader_never_raises(report):
    assert report.crashes == []


def test_every_input_ends_as_expected_with_its_reason(report):
    problems = [f"{r.source} {r.case} {r.input!r}: {'; '.join(r.problems)} (reason: {r.reason})" for r in report.mismatches]
    assert problems == []
    assert report.unexpected == []


def test_nothing_is_lost_and_the_counts_reconcile(report):
    assert report.lost == 0
    assert report.rejected == report.rejected_with_reason
    assert report.inputs == report.loaded + report.duplicates + report.rejected
    assert report.reconciles


def test_enough_kinds_of_bad_input_are_tried(report):
    assert report.kinds >= 25
    assert report.kinds_by_source["file"] >= 27
    assert report.kinds_by_source["web"] >= 11
    assert report.loaded and report.duplicates and report.rejected
