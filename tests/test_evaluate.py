"""The scorer implements corpus/GOLD_FORMAT.md; the sample corpus holds the issue-3 floors."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.evaluate import dice, format_report, normalise_unit, score
from ingest.extract import (
    EventMention,
    Extraction,
    IndicatorValue,
    TargetMention,
    extract,
)

ROOT = Path(__file__).resolve().parents[1]


def target(indicator: str, value: float, unit: str, comparator: str = "=", year: int | None = 2025) -> TargetMention:
    return TargetMention(indicator, value, unit, comparator, year, None, "证据。", 0, 3)


def event(date: str, kind: str, name: str, evidence: str = "") -> EventMention:
    precision = {4: "year", 7: "month", 10: "day"}[len(date)]
    return EventMention(date, precision, kind, name, None, evidence or name, 0, len(evidence or name))


def gold_doc(**fields) -> dict:
    doc = {"file": "a.txt", "targets": [], "optional_targets": [], "events": [], "optional_events": []}
    doc.update(fields)
    return {"format": "policy-gold/1", "documents": [doc]}


def test_unit_magnitudes_normalise_to_base_units() -> None:
    assert normalise_unit(360, "亿元") == (3.6e10, "元")
    assert normalise_unit(25, "万元/人/年") == (2.5e5, "元/人/年")
    assert normalise_unit(2, "万亿元") == (2e12, "元")
    assert normalise_unit(5, "%") == (5, "%")
    # Traditional and full-width units fold to the Simplified ones: 億元 == 亿元, 萬人 == 万人, ％ == %
    assert normalise_unit(360, "億元") == normalise_unit(360, "亿元")
    assert normalise_unit(3, "萬人") == (3e4, "人")
    assert normalise_unit(5, "％") == (5, "%")


def test_value_tolerance_units_year_and_indicator_similarity() -> None:
    gold = gold_doc(targets=[{"indicator": "全社会研发经费投入", "value": 360, "unit": "亿元", "comparator": "=", "year": 2025}])
    for extracted, expected_tp in [
        (target("研发经费投入", 3.6e6, "万元"), 1),  # same amount in another magnitude; containment
        (target("全社会研发经费投入", 361, "亿元"), 1),  # within 0.5%
        (target("全社会研发经费投入", 363, "亿元"), 0),  # outside 0.5%
        (target("全社会研发经费投入", 360, "亿美元"), 0),  # other base unit
        (target("全社会研发经费投入", 360, "亿元", year=2027), 0),
        (target("高新技术企业", 360, "亿元"), 0),  # dissimilar indicator
    ]:
        report = score(gold, {"a.txt": Extraction([extracted], [])})
        assert report.targets.tp == expected_tp, extracted


def test_null_gold_year_matches_any_year_and_dice_threshold() -> None:
    gold = gold_doc(targets=[{"indicator": "储备科技型企业", "value": 1000, "unit": "家", "comparator": ">=", "year": None}])
    report = score(gold, {"a.txt": Extraction([target("科技型企业储备", 1000, "家", ">=", 2030)], [])})
    assert report.targets.tp == 1
    assert dice("科技型企业储备", "储备科技型企业") >= 0.4


def test_one_to_one_best_similarity_first_and_optional_items_ignored() -> None:
    gold = gold_doc(
        targets=[
            {"indicator": "省级以上企业技术中心", "value": 120, "unit": "家", "comparator": "=", "year": 2025},
        ],
        optional_targets=[{"indicator": "园区试点建设", "value": 14, "unit": "个", "comparator": "=", "year": 2025}],
    )
    extracted = [
        target("企业技术中心数量", 120, "家", ">"),  # matches, but less similar
        target("省级以上企业技术中心", 120, "家"),  # the best match takes the gold item
        target("园区试点建设", 14, "个"),  # only an optional item: neither TP nor FP
    ]
    report = score(gold, {"a.txt": Extraction(extracted, [])})
    counts = report.targets
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)
    assert report.comparator_accuracy == 1.0  # the best pair has the right comparator
    assert report.documents[0].target_fps[0].indicator == "企业技术中心数量"


def test_event_date_precision_and_key() -> None:
    gold = gold_doc(events=[
        {"date": "2014-11", "key": "考察", "type": "visit", "name": "到福建考察"},
        {"date": "2022-01-05", "key": "云客厅", "type": "launch", "name": "云客厅启用"},
    ])  # fmt: skip
    extracted = [
        event("2014-11-03", "visit", "总书记到福建考察"),  # finer than gold: matches
        event("2022-01", "launch", "云客厅启用"),  # coarser than gold: no match
        event("2022-01-05", "meeting", "会议", evidence="昨日，云客厅正式启用。"),  # key in evidence; wrong type
    ]
    report = score(gold, {"a.txt": Extraction([], extracted)})
    assert (report.events.tp, report.events.fp, report.events.fn) == (2, 1, 0)
    assert report.event_type_accuracy == 0.5


def test_missing_prediction_counts_every_gold_item_as_missed() -> None:
    gold = gold_doc(events=[{"date": "2019", "key": "入选", "type": "selection", "name": "入选"}])
    report = score(gold, {})
    assert report.events.fn == 1 and report.missing_predictions == ["a.txt"]
    assert "TOTAL" in format_report(report)


def _prepared_sample() -> dict[str, Extraction]:
    from ingest import pipeline

    return {
        doc.file_name: extract(doc.clean_text, doc.publish_date, doc.publish_date_precision)
        for doc in pipeline.prepare_corpus(ROOT / "corpus" / "sample")
    }


def test_sample_corpus_meets_the_issue_3_floors() -> None:
    gold = json.loads((ROOT / "corpus" / "sample.gold.json").read_text("utf-8"))
    report = score(gold, _prepared_sample())
    summary = format_report(report)
    assert report.targets.f1 >= 0.95, summary
    assert report.events.f1 >= 0.85, summary
    assert report.comparator_accuracy >= 0.9, summary
    assert report.event_type_accuracy >= 0.9, summary


def reported(indicator: str, value: float, unit: str, period: str, kind: str = "level") -> IndicatorValue:
    precision = {4: "year", 7: "month", 10: "day"}[len(period)]
    return IndicatorValue(indicator, value, unit, period, precision, kind, None, "证据。", 0, 3)


def test_reported_figures_are_scored_by_value_unit_indicator_and_period_precision() -> None:
    gold = gold_doc(reported=[
        {"indicator": "地区生产总值", "value": 5728.6, "unit": "亿元", "period": "2023"},
        {"indicator": "外贸进出口总额", "value": 1234.5, "unit": "亿元", "period": "2024-05", "value_kind": "level"},
    ])  # fmt: skip
    extracted = [
        reported("地区生产总值", 5.7286e7, "万元", "2023-12"),  # finer period, other magnitude: matches
        reported("外贸进出口总额", 1234.5, "亿元", "2024"),  # coarser than the gold month: no match
        reported("外贸进出口总额", 1234.5, "亿元", "2024-05", "change"),  # matches, wrong kind
    ]
    report = score(gold, {"a.txt": Extraction([], [], extracted)})
    assert (report.reported.tp, report.reported.fp, report.reported.fn) == (2, 1, 0)
    assert report.value_kind_accuracy == 0.5
    text = format_report(report)
    assert "reported: TP" in text and "FP reported" in text


def test_reported_figures_are_not_scored_when_the_gold_does_not_label_them() -> None:
    report = score(gold_doc(), {"a.txt": Extraction([], [], [reported("地区生产总值", 1, "亿元", "2023")])})
    assert report.reported is None and report.documents[0].reported is None
    assert "reported: TP" not in format_report(report)
