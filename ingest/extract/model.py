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
    region: str | None = None  # a place named in the target's clause (晋江市…达到), else the document's region
    issuer: str | None = None  # the document's issuing body (发文机关, title "X人民政府关于…", publisher)


@dataclass(frozen=True)
class EventMeasure:
    """An amount given for an event: 签约项目53个 → ("签约项目", 53, "个")."""

    name: str
    value: float
    unit: str  # as written (亿元)


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
    measures: tuple[EventMeasure, ...] = ()


@dataclass(frozen=True)
class IndicatorValue:
    """A reported figure (what was achieved or observed), never a target."""

    indicator: str
    value: float
    unit: str  # as written
    period: str  # YYYY | YYYY-MM | YYYY-MM-DD: the period the figure describes
    period_precision: str  # year | month | day
    value_kind: str  # one of VALUE_KINDS
    region: str | None
    evidence: str
    evidence_start: int
    evidence_end: int


VALUE_KINDS = ("level", "change")


@dataclass(frozen=True)
class Extraction:
    targets: list[TargetMention] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
    indicator_values: list[IndicatorValue] = field(default_factory=list)
