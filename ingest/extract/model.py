"""The extractor's output rows (re-exported by ``ingest.extract``)."""

from __future__ import annotations

from dataclasses import dataclass, field

COMPARATORS = ("=", ">", ">=", "<", "<=", "~", "range")
EVENT_TYPES = (
    "meeting", "conference", "visit", "policy_release", "policy_effective",
    "launch", "selection", "signing", "fund_launch", "other",
)  # fmt: skip
DATE_PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class TargetMention:
    """A quantitative goal set for a (deadline) year, with its evidence sentence."""

    indicator: str
    value: float
    unit: str  # as written: 亿元, 家, % (百分之… and ％ both become %)
    comparator: str  # one of COMPARATORS
    target_year: int | None  # None for a standing goal (每年…)
    baseline_year: int | None  # 比2020年增长… → 2020
    evidence: str  # clean_text[evidence_start:evidence_end]
    evidence_start: int
    evidence_end: int


@dataclass(frozen=True)
class EventMention:
    """Something that happened or takes effect on a date the text states or implies."""

    event_date: str  # YYYY-MM-DD | YYYY-MM | YYYY
    date_precision: str  # day | month | year
    event_type: str  # one of EVENT_TYPES
    name: str
    location: str | None
    evidence: str
    evidence_start: int
    evidence_end: int


@dataclass(frozen=True)
class Extraction:
    targets: list[TargetMention] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
