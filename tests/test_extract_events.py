"""Event extraction: each labelled case in extraction_cases/events.json yields exactly its events."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ingest.evaluate import score
from ingest.extract import Extraction, extract
from ingest.extract.dates import Publication, find_dates
from tests.conftest import publication

CASES = json.loads((Path(__file__).parent / "extraction_cases" / "events.json").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["construction"] for c in CASES])
def test_labelled_text_yields_exactly_its_events(case: dict) -> None:
    result = extract(case["text"], *publication(case))
    gold = {"documents": [{"file": "case", "targets": [], "events": case["events"]}]}
    report = score(gold, {"case": Extraction([], result.events)})
    described = [(e.event_date, e.event_type, e.name) for e in result.events]
    assert (report.events.fp, report.events.fn) == (0, 0), described
    assert report.event_type_accuracy == 1.0, described
    for expected in case["events"]:
        if "location" in expected:
            assert any(e.location == expected["location"] for e in result.events), described
        for name, value, unit in expected.get("measures", []):  # 签约项目53个、总金额352.55亿元
            measures = [(m.name, m.value, m.unit) for e in result.events for m in e.measures]
            assert any(name in got and got_value == value and got_unit == unit for got, got_value, got_unit in measures), (
                measures
            )


@pytest.mark.parametrize("case", CASES, ids=[c["construction"] for c in CASES])
def test_event_evidence_offsets_and_precision(case: dict) -> None:
    text = case["text"]
    for event in extract(text, *publication(case)).events:
        assert text[event.evidence_start : event.evidence_end] == event.evidence
        assert event.date_precision == {4: "year", 7: "month", 10: "day"}[len(event.event_date)]


def test_relative_dates_resolve_only_as_far_as_the_publication_date_allows() -> None:
    by_day = Publication(dt.date(2022, 1, 6), "day")
    by_month = Publication(dt.date(2022, 1, 1), "month")
    unknown = Publication(None, None)
    assert find_dates("昨日", by_day)[0].date.iso() == "2022-01-05"
    assert find_dates("昨日", by_month)[0].date.iso() == "2022-01"
    assert find_dates("昨日", unknown)[0].date is None
    assert find_dates("12月28日", by_day)[0].date.iso() == "2021-12-28"  # a January article
    assert find_dates("二〇一六年六月十二日", unknown)[0].date.iso() == "2016-06-12"
    (deadline,) = find_dates("到2025年", unknown)
    assert deadline.deadline


def test_publication_date_may_be_a_datetime() -> None:
    events = extract("昨日，云客厅正式启用。", dt.datetime(2022, 1, 6, 9, 23)).events
    assert [e.event_date for e in events] == ["2022-01-05"]
