"""Reported figures: each labelled case in extraction_cases/values.json yields exactly its rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.evaluate import score
from ingest.extract import Extraction, IndicatorValue, extract
from tests.conftest import publication

CASES = json.loads((Path(__file__).parent / "extraction_cases" / "values.json").read_text("utf-8"))["cases"]


def _described(values: list[IndicatorValue]) -> list[tuple]:
    return [(v.indicator, v.value, v.unit, v.period, v.value_kind) for v in values]


@pytest.mark.parametrize("case", CASES, ids=[c["construction"] for c in CASES])
def test_labelled_text_yields_exactly_its_reported_rows(case: dict) -> None:
    result = extract(case["text"], *publication(case))
    gold = {"documents": [{"file": "case", "targets": [], "events": [], "reported": case["reported"]}]}
    report = score(gold, {"case": Extraction([], [], result.indicator_values)})
    described = _described(result.indicator_values)
    assert (report.reported.fp, report.reported.fn) == (0, 0), described
    assert report.value_kind_accuracy == 1.0, described
    if "targets" in case:  # a reported figure is never also a target, and the other way round
        assert len(result.targets) == case["targets"], [(t.indicator, t.value, t.target_year) for t in result.targets]


@pytest.mark.parametrize("case", CASES, ids=[c["construction"] for c in CASES])
def test_reported_rows_keep_evidence_offsets_and_precision(case: dict) -> None:
    text = case["text"]
    for value in extract(text, *publication(case)).indicator_values:
        assert text[value.evidence_start : value.evidence_end] == value.evidence
        assert value.period_precision == {4: "year", 7: "month", 10: "day"}[len(value.period)]
        assert value.value_kind in ("level", "change")


def test_region_is_the_place_named_else_the_documents() -> None:
    values = extract("2023年，晋江市实现地区生产总值3200亿元，比上年增长5.5%。", None, region="泉州").indicator_values
    assert [(v.indicator, v.region) for v in values] == [("地区生产总值", "晋江市"), ("地区生产总值增长", "晋江市")]
    values = extract("2023年，全市实现地区生产总值12000亿元。", None, region="泉州").indicator_values
    assert [v.region for v in values] == ["泉州"]


def test_targets_carry_region_and_issuer() -> None:
    text = (
        "泉州市人民政府办公室关于印发泉州市科技创新工作方案的通知\n泉政办〔2016〕87号\n"
        "到2020年，全市高新技术企业达到1000家，晋江市研发投入强度达到3%。"
    )
    targets = extract(text).targets
    assert {t.issuer for t in targets} == {"泉州市人民政府办公室"}
    assert [t.region for t in targets] == ["泉州市", "晋江市"]
    # The loader's metadata is the default when the text names no issuer.
    (target,) = extract("到2025年，全市高新技术企业达到3000家。", None, region="泉州", issuer="泉州市科技局").targets
    assert (target.region, target.issuer) == ("泉州", "泉州市科技局")
