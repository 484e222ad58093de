"""The synthetic corpus: deterministic, in the gold format, GBK that decodes, and scorable."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from ingest.encoding import decode_bytes
from ingest.evaluate import score
from ingest.extract import extract
from ingest.pipeline import RejectedInput, prepare
from ingest.sources.folder import iter_folder
from ingest.synthetic import generate_corpus

COMPARATORS = {"=", ">", ">=", "<", "<=", "~", "range"}
EVENT_TYPES = {
    "meeting", "conference", "visit", "policy_release", "policy_effective", "launch", "selection", "signing",
    "fund_launch", "other",
}  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("synthetic") / "corpus"
    gold_path = generate_corpus(folder, 300, seed=7)
    return folder, json.loads(gold_path.read_text("utf-8"))


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, corpus):
    folder, _ = corpus
    again = tmp_path / "again" / "corpus"
    generate_corpus(again, 300, seed=7)
    assert _digest(again) == _digest(folder)
    assert (again.parent / "corpus.gold.json").read_bytes() == (
        folder.parent / "corpus.gold.json"
    ).read_bytes()
    other = tmp_path / "other" / "corpus"
    generate_corpus(other, 300, seed=8)
    assert _digest(other) != _digest(folder)


def test_gold_file_is_policy_gold_1(corpus):
    folder, gold = corpus
    assert gold["format"] == "policy-gold/1"
    documents = gold["documents"]
    assert len(documents) == 300
    assert {d["file"] for d in documents} == {p.name for p in folder.iterdir()}
    for doc in documents:
        assert doc["publish_date"] and len(doc["publish_date"]) == 10
        assert doc["region"]
        for target in doc["targets"] + doc["optional_targets"]:
            assert set(target) == {"indicator", "value", "unit", "comparator", "year"}
            assert target["comparator"] in COMPARATORS
            assert isinstance(target["value"], float | int) and target["unit"]
            assert target["year"] is None or 2019 <= target["year"] <= 2035
        for event in doc["events"] + doc["optional_events"]:
            assert set(event) == {"date", "key", "type", "name"}
            assert event["type"] in EVENT_TYPES and len(event["date"]) in (4, 7, 10)
        for figure in doc["reported"]:
            assert {"indicator", "value", "unit", "period"} <= set(figure)
    # every construction of the generator shows up in 300 documents
    comparators = Counter(t["comparator"] for d in documents for t in d["targets"])
    assert set(comparators) >= {"=", ">", ">=", "~", "<=", "range"}
    assert any(
        t["year"] is None for d in documents for t in d["targets"]
    )  # standing 每年 goals
    types = Counter(e["type"] for d in documents for e in d["events"])
    assert set(types) >= EVENT_TYPES - {"other"}
    assert sum(len(d["reported"]) for d in documents) > 100


def test_shells_encodings_duplicates_and_reposts(corpus):
    folder, gold = corpus
    suffixes = Counter(p.suffix for p in folder.iterdir())
    assert set(suffixes) == {".html", ".md", ".txt"}
    gbk = 0
    for path in folder.iterdir():
        data = path.read_bytes()
        text, encoding = decode_bytes(data)
        if encoding != "utf-8":
            gbk += 1
            assert encoding in {"gb18030", "gbk", "gb2312"}
            assert text == data.decode("gbk")
    assert 0.1 * 300 < gbk < 0.3 * 300
    by_name = {d["file"]: d for d in gold["documents"]}
    duplicates = [d for d in gold["documents"] if "duplicate_of" in d]
    reposts = [d for d in gold["documents"] if "repost_of" in d]
    assert duplicates and reposts
    for d in duplicates:
        assert (folder / d["file"]).read_bytes() == (
            folder / d["duplicate_of"]
        ).read_bytes()
    for d in reposts:
        original = by_name[d["repost_of"]]
        assert (folder / d["file"]).read_bytes() != (
            folder / original["file"]
        ).read_bytes()
        assert d["events"] == original["events"] and d["targets"] == original["targets"]


def test_extractor_scores_well_against_the_synthetic_gold(corpus):
    folder, gold = corpus
    sample = {d["file"]: d for d in gold["documents"][:50]}
    predictions = {}
    for raw in iter_folder(folder):
        name = raw.source_uri.rsplit("/", 1)[-1]
        if name not in sample:
            continue
        try:
            doc = prepare(raw)
        except RejectedInput as exc:
            pytest.fail(f"{name} rejected: {exc}")
        assert str(doc.publish_date) == sample[name]["publish_date"], name
        predictions[name] = extract(
            doc.clean_text, doc.publish_date, doc.publish_date_precision,
            region=doc.clean.region, issuer=doc.clean.publisher,
        )  # fmt: skip
    report = score(
        {"format": gold["format"], "documents": list(sample.values())}, predictions
    )
    assert not report.missing_predictions
    assert report.targets.f1 >= 0.8, report.targets
    assert report.events.f1 >= 0.8, report.events
