"""Target extraction: each labelled case in extraction_cases/targets.json yields exactly its rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.evaluate import score
from ingest.extract import EXTRACTOR_VERSION, Extraction, extract
from ingest.extract.numbers import find_quantities, parse_number
from tests.conftest import publication

CASES = json.loads((Path(__file__).parent / "extraction_cases" / "targets.json").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["construction"] for c in CASES])
def test_labelled_sentence_yields_exactly_its_rows(case: dict) -> None:
    result = extract(case["text"], *publication(case))
    gold = {"documents": [{"file": "case", "targets": case["rows"], "events": []}]}
    report = score(gold, {"case": Extraction(result.targets, [])})
    described = [(t.indicator, t.value, t.unit, t.comparator, t.target_year) for t in result.targets]
    assert (report.targets.fp, report.targets.fn) == (0, 0), described
    assert report.comparator_accuracy == 1.0, described
    for row in case["rows"]:
        if "baseline_year" in row:
            assert any(t.baseline_year == row["baseline_year"] for t in result.targets), described


@pytest.mark.parametrize("case", CASES, ids=[c["construction"] for c in CASES])
def test_evidence_offsets_point_into_the_clean_text(case: dict) -> None:
    text = case["text"]
    for target in extract(text, *publication(case)).targets:
        assert text[target.evidence_start : target.evidence_end] == target.evidence
        assert target.evidence.strip() == target.evidence


def test_traditional_evidence_is_the_original_characters() -> None:
    text = "泉州國家高新區力爭到2025年實現營業總收入突破3000億元。"
    (target,) = extract(text).targets
    assert target.evidence == text
    assert target.unit == "亿元" and target.value == 3000 and target.indicator.startswith("泉州国家高新区")


def test_numbers_units_and_comparators() -> None:
    assert parse_number("一百二十") == 120 and parse_number("两") == 2 and parse_number("3,500") == 3500
    (quantity,) = find_quantities("劳动生产率25万元/人/年")
    assert (quantity.values, quantity.unit, quantity.comparator) == ((25.0,), "万元/人/年", "=")
    (quantity,) = find_quantities("至少建成1个")
    assert quantity.comparator == ">="
    (quantity,) = find_quantities("100余家")
    assert quantity.comparator == ">"
    # Not quantities: a magnitude alone, a year, a name in quotes, an ordinal.
    assert find_quantities("每万人口") == []
    assert find_quantities("到2025年") == []
    assert find_quantities("“四个倍增”") == []
    assert find_quantities("第三家") == []


def test_version_and_empty_text() -> None:
    assert EXTRACTOR_VERSION == "1.3.0"
    assert extract("") == Extraction([], [])
    assert extract("这是一篇没有任何数字目标的普通新闻报道。").targets == []
