"""Score extractions against a ``policy-gold/1`` file (rules: corpus/GOLD_FORMAT.md).

Targets match when years agree (a null gold year matches any), values agree
within 0.5% after normalising the unit's magnitude prefix (亿元 → 元 ×1e8), base
units are equal, and indicators are similar (containment, or character-bigram
Dice ≥ 0.4).  Events match when the extracted date agrees with the gold date to
the gold's precision and is not coarser, and the gold key occurs in the
extracted name or evidence.  Matching is one-to-one, best similarity first;
required gold items are matched before optional ones, and an extracted item
that matches only an optional item is neither a TP nor an FP.

Reported figures are scored only for gold documents that carry a ``"reported"``
list ({indicator, value, unit, period[, value_kind]}; ``optional_reported`` as for
targets): value, unit and indicator as for targets, and the extracted period
must agree with the gold period to the gold's precision and not be coarser
(gold "2021" matches 2021 or 2021-06; gold "2021-06" needs that month).  The
attribute reported over matched pairs is ``value_kind`` where the gold gives it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.extract import EventMention, Extraction, IndicatorValue, TargetMention
from ingest.normalize import normalize_for_extraction

VALUE_TOLERANCE = 0.005
DICE_THRESHOLD = 0.4
# Longest prefix first: 万亿 before 万.
MAGNITUDES = (("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3), ("百", 1e2))
PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


def normalise_unit(value: float, unit: str) -> tuple[float, str]:
    """(360, '亿元') → (3.6e10, '元'); (25, '万元/人/年') → (2.5e5, '元/人/年'); 億元 is 亿元, ％ is %."""
    unit = normalize_for_extraction(unit.strip())
    for prefix, factor in MAGNITUDES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            inner_value, base = normalise_unit(value, unit[len(prefix) :])
            return inner_value * factor, base
    return value, unit


def values_agree(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE * max(abs(a), abs(b))


def _bigrams(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def dice(a: str, b: str) -> float:
    left, right = _bigrams(a), _bigrams(b)
    total = sum(left.values()) + sum(right.values())
    return 2 * sum((left & right).values()) / total if total else 0.0


def indicator_similarity(extracted: str, gold: str) -> float:
    """1.0 when one contains the other, else the bigram Dice coefficient."""
    a, b = normalize_for_extraction(extracted), normalize_for_extraction(gold)
    if a and b and (a in b or b in a):
        return 1.0
    return dice(a, b)


def target_similarity(extracted: TargetMention, gold: dict[str, Any]) -> float | None:
    """Indicator similarity when the pair matches by the gold rules, else None."""
    if gold.get("year") is not None and extracted.target_year != gold["year"]:
        return None
    value, unit = normalise_unit(float(extracted.value), extracted.unit)
    gold_value, gold_unit = normalise_unit(float(gold["value"]), str(gold["unit"]))
    if unit != gold_unit or not values_agree(value, gold_value):
        return None
    similarity = indicator_similarity(extracted.indicator, str(gold["indicator"]))
    return similarity if similarity >= DICE_THRESHOLD else None


def reported_similarity(extracted: IndicatorValue, gold: dict[str, Any]) -> float | None:
    """Indicator similarity when a reported figure matches a gold one, else None."""
    gold_period = str(gold["period"])
    if PRECISION_RANK.get(extracted.period_precision, -1) < PRECISION_RANK[_gold_precision(gold_period)]:
        return None
    if not extracted.period.startswith(gold_period):
        return None
    value, unit = normalise_unit(float(extracted.value), extracted.unit)
    gold_value, gold_unit = normalise_unit(float(gold["value"]), str(gold["unit"]))
    if unit != gold_unit or not values_agree(value, gold_value):
        return None
    similarity = indicator_similarity(extracted.indicator, str(gold["indicator"]))
    return similarity if similarity >= DICE_THRESHOLD else None


def _gold_precision(date: str) -> str:
    return {4: "year", 7: "month"}.get(len(date), "day")


def event_similarity(extracted: EventMention, gold: dict[str, Any]) -> float | None:
    """A score (higher is better) when the pair matches by the gold rules, else None."""
    gold_date = str(gold["date"])
    gold_precision = _gold_precision(gold_date)
    if PRECISION_RANK.get(extracted.date_precision, -1) < PRECISION_RANK[gold_precision]:
        return None  # coarser than the gold date
    if not extracted.event_date.startswith(gold_date):
        return None
    key = normalize_for_extraction(str(gold["key"]))
    in_name = key in normalize_for_extraction(extracted.name)
    if not in_name and key not in normalize_for_extraction(extracted.evidence):
        return None
    # Prefer the same precision, then the key in the name rather than only in the evidence.
    return 1.0 + (extracted.date_precision == gold_precision) + 0.5 * in_name


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    attribute_correct: int = 0  # comparator (targets) or type (events) over TP pairs

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def attribute_accuracy(self) -> float:
        return self.attribute_correct / self.tp if self.tp else 1.0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.attribute_correct += other.attribute_correct


@dataclass
class DocumentScore:
    file: str
    targets: Counts
    events: Counts
    target_fps: list[TargetMention] = field(default_factory=list)
    target_fns: list[dict] = field(default_factory=list)
    event_fps: list[EventMention] = field(default_factory=list)
    event_fns: list[dict] = field(default_factory=list)
    # TP pairs whose comparator / type differ: (extracted, gold)
    attribute_mismatches: list[tuple[object, dict]] = field(default_factory=list)
    reported: Counts | None = None  # None: the gold document labels no reported figures
    reported_fps: list[IndicatorValue] = field(default_factory=list)
    reported_fns: list[dict] = field(default_factory=list)


@dataclass
class EvaluationReport:
    documents: list[DocumentScore]
    targets: Counts
    events: Counts
    missing_predictions: list[str] = field(default_factory=list)  # gold files with no extraction
    reported: Counts | None = None  # over the documents whose gold labels reported figures

    @property
    def value_kind_accuracy(self) -> float:
        return self.reported.attribute_accuracy if self.reported else 1.0

    @property
    def comparator_accuracy(self) -> float:
        return self.targets.attribute_accuracy

    @property
    def event_type_accuracy(self) -> float:
        return self.events.attribute_accuracy


def _greedy(
    extracted: Sequence[object], gold: Sequence[dict], similarity: Callable[[Any, dict], float | None],
    taken_extracted: set[int],
) -> list[tuple[int, int]]:
    """One-to-one pairs, best similarity first (ties: document order)."""
    candidates = []
    for i, item in enumerate(extracted):
        if i in taken_extracted:
            continue
        for j, gold_item in enumerate(gold):
            score = similarity(item, gold_item)
            if score is not None:
                candidates.append((-score, i, j))
    candidates.sort()
    used_gold: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in taken_extracted or j in used_gold:
            continue
        taken_extracted.add(i)
        used_gold.add(j)
        pairs.append((i, j))
    return pairs


def _score_items(
    extracted: Sequence[object], required: Sequence[dict], optional: Sequence[dict],
    similarity: Callable[[Any, dict], float | None], attribute: tuple[str, str],
) -> tuple[Counts, list, list, list]:
    taken: set[int] = set()
    pairs = _greedy(extracted, required, similarity, taken)
    _greedy(extracted, optional, similarity, taken)  # matched to optional: ignored
    counts = Counts(tp=len(pairs), fp=len(extracted) - len(taken), fn=len(required) - len(pairs))
    mismatches = []
    extracted_attr, gold_attr = attribute
    for i, j in pairs:
        if gold_attr not in required[j] and extracted_attr == "value_kind":
            counts.attribute_correct += 1  # the gold does not say: not held against the extractor
        elif getattr(extracted[i], extracted_attr) == required[j].get(gold_attr):
            counts.attribute_correct += 1
        else:
            mismatches.append((extracted[i], required[j]))
    matched_gold = {j for _, j in pairs}
    fps = [item for i, item in enumerate(extracted) if i not in taken]
    fns = [item for j, item in enumerate(required) if j not in matched_gold]
    return counts, fps, fns, mismatches


def score(gold: dict, predictions: dict[str, Extraction]) -> EvaluationReport:
    """Score ``predictions`` (keyed by the gold "file" name) against a parsed gold file."""
    documents = []
    total_targets, total_events = Counts(), Counts()
    total_reported: Counts | None = None
    missing = []
    for gold_doc in gold.get("documents", []):
        file_name = gold_doc["file"]
        prediction = predictions.get(file_name)
        if prediction is None:
            missing.append(file_name)
            prediction = Extraction([], [])
        targets, target_fps, target_fns, target_mismatches = _score_items(
            prediction.targets, gold_doc.get("targets", []), gold_doc.get("optional_targets", []),
            target_similarity, ("comparator", "comparator"),
        )  # fmt: skip
        events, event_fps, event_fns, event_mismatches = _score_items(
            prediction.events, gold_doc.get("events", []), gold_doc.get("optional_events", []),
            event_similarity, ("event_type", "type"),
        )  # fmt: skip
        total_targets.add(targets)
        total_events.add(events)
        document = DocumentScore(
            file_name, targets, events, target_fps, target_fns, event_fps, event_fns,
            target_mismatches + event_mismatches,
        )  # fmt: skip
        if "reported" in gold_doc:
            reported, document.reported_fps, document.reported_fns, reported_mismatches = _score_items(
                prediction.indicator_values, gold_doc.get("reported", []), gold_doc.get("optional_reported", []),
                reported_similarity, ("value_kind", "value_kind"),
            )  # fmt: skip
            document.reported = reported
            document.attribute_mismatches += reported_mismatches
            total_reported = total_reported or Counts()
            total_reported.add(reported)
        documents.append(document)
    return EvaluationReport(documents, total_targets, total_events, missing, total_reported)


def _row(label: str, targets: Counts, events: Counts) -> str:
    def cells(c: Counts) -> str:
        return f"{c.tp:>4} {c.fp:>4} {c.fn:>4} {c.precision:>6.3f} {c.recall:>6.3f} {c.f1:>6.3f}"

    return f"{label:<34} {cells(targets)}   {cells(events)}"


def _describe_target(t: TargetMention | dict) -> str:
    if isinstance(t, dict):
        return f"{t['indicator']} {t['comparator']} {t['value']:g}{t['unit']} ({t.get('year')})"
    return f"{t.indicator} {t.comparator} {t.value:g}{t.unit} ({t.target_year})"


def _describe_reported(v: IndicatorValue | dict) -> str:
    if isinstance(v, dict):
        return f"{v['indicator']} {v['value']:g}{v['unit']} ({v.get('period')})"
    return f"{v.indicator} {v.value:g}{v.unit} ({v.period}, {v.value_kind})"


def _cells(c: Counts) -> str:
    return f"{c.tp:>4} {c.fp:>4} {c.fn:>4} {c.precision:>6.3f} {c.recall:>6.3f} {c.f1:>6.3f}"


def _describe_event(e: EventMention | dict) -> str:
    if isinstance(e, dict):
        return f"{e['date']} {e['type']} [{e['key']}] {e.get('name', '')}"
    return f"{e.event_date} {e.event_type} {e.name}"


def format_report(report: EvaluationReport, details: bool = True) -> str:
    """A table of per-document and total P/R/F1, the accuracies, then the errors per document."""
    header = f"{'document':<34} {'targets: TP   FP   FN      P      R     F1':<43}   events: TP   FP   FN      P      R     F1"
    lines = [header, "-" * len(header)]
    lines += [_row(doc.file, doc.targets, doc.events) for doc in report.documents]
    lines.append("-" * len(header))
    lines.append(_row("TOTAL", report.targets, report.events))
    lines.append(
        f"comparator accuracy {report.comparator_accuracy:.3f} over {report.targets.tp} matched targets; "
        f"event-type accuracy {report.event_type_accuracy:.3f} over {report.events.tp} matched events"
    )
    if report.reported is not None:
        scored = [doc for doc in report.documents if doc.reported is not None]
        block = f"{'document':<34} reported: TP   FP   FN      P      R     F1"
        lines += ["", block, "-" * len(block)]
        lines += [f"{doc.file:<34} {_cells(doc.reported)}" for doc in scored]
        lines.append("-" * len(block))
        lines.append(f"{'TOTAL':<34} {_cells(report.reported)}")
        lines.append(
            f"value-kind accuracy {report.value_kind_accuracy:.3f} over {report.reported.tp} matched reported figures "
            f"({len(scored)} of {len(report.documents)} documents label reported figures)"
        )
    if report.missing_predictions:
        lines.append("no extraction for: " + ", ".join(report.missing_predictions))
    if details:
        for doc in report.documents:
            problems = (
                [f"  FP target  {_describe_target(t)}" for t in doc.target_fps]
                + [f"  FN target  {_describe_target(t)}" for t in doc.target_fns]
                + [f"  FP event   {_describe_event(e)}" for e in doc.event_fps]
                + [f"  FN event   {_describe_event(e)}" for e in doc.event_fns]
                + [f"  FP reported {_describe_reported(v)}" for v in doc.reported_fps]
                + [f"  FN reported {_describe_reported(v)}" for v in doc.reported_fns]
            )
            for extracted, gold in doc.attribute_mismatches:
                got = (
                    getattr(extracted, "comparator", None) or getattr(extracted, "event_type", None)
                    or getattr(extracted, "value_kind", None)
                )
                lines_gold = gold.get("comparator") or gold.get("type") or gold.get("value_kind")
                problems.append(f"  attribute  {got} ≠ gold {lines_gold}: {gold.get('indicator') or gold.get('key')}")
            if problems:
                lines.append(f"{doc.file}:")
                lines.extend(problems)
    return "\n".join(lines)
