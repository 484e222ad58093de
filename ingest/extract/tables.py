"""Indicator tables: rows of indicators against year columns (主要指标表).

A plan often gives its figures as a table (Markdown pipe rows, one per line, or a
whole table flattened onto one line by the page's conversion):

    | 序号 | 指标 | 单位 | 2023年 | 2025年 | 2030年 | 属性 |
    | 1 | 养老机构护理型床位占比 | % | 56.2 | 60 | 65 | 约束性 |

A header row with year cells makes it an indicator table.  Each data row is an
indicator; its unit comes from a 单位 column or a trailing bracket in the
indicator's cell (数控化率(%), 连接设备数(万台)).  A year column labelled as the
base (基期, 基数, 现状, 实际) or earlier than the publication year holds reported
figures; the other year columns hold targets for that year.  Cell values keep
their comparator (90以上 → >=, ≥90, 10—15 → a range).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from ingest.extract.dates import Publication
from ingest.extract.model import IndicatorValue, TargetMention
from ingest.extract.sentences import Paragraph

_YEAR_CELL = re.compile(r"^((?:19|20)\d{2})\s*年?(?:底|末)?\s*(?:\(([^)]{0,8})\)|([^\d()]{0,6}))$")
_BASE_LABEL = re.compile(r"基期|基准|基数|现状|实际|完成|现值")
_SEPARATOR = re.compile(r"^:?-{2,}:?$")
_INDICATOR_HEAD = re.compile(r"指标|名称|项目|内容")
_UNIT_HEAD = re.compile(r"^(?:计量)?单位$")
_SKIP_HEAD = re.compile(r"^(?:序号|编号|属性|指标属性|类别|类型|性质|备注|责任单位|牵头单位)$")
_TRAILING_UNIT = re.compile(r"\(([^()]{1,8})\)$")
_VALUE = re.compile(
    r"^(?P<pre>>=|<=|≥|≤|>|<|不低于|不少于|不超过|不高于|超过|约)?\s*"
    r"(?P<n1>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?:%?\s*[—\-~至]\s*(?P<n2>\d+(?:,\d{3})*(?:\.\d+)?))?\s*(?P<pct>%)?\s*"
    r"(?P<suf>以上|及以上|以下|以内|左右)?$"
)
_PRE = {">=": ">=", "≥": ">=", "不低于": ">=", "不少于": ">=", "<=": "<=", "≤": "<=", "不超过": "<=", "不高于": "<=",
        ">": ">", "超过": ">", "<": "<", "约": "~"}  # fmt: skip
_SUF = {"以上": ">=", "及以上": ">=", "以下": "<=", "以内": "<=", "左右": "~"}
_CHANGE = re.compile(r"增长|增速|增幅|提高|下降")


@dataclass(frozen=True)
class _Cell:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Column:
    index: int
    year: int
    base: bool  # reported figures (the base year), not targets


def _cells(text: str, offset: int) -> list[_Cell]:
    pipes = [i for i, ch in enumerate(text) if ch == "|"]
    cells = []
    for left, right in pairwise(pipes):
        raw = text[left + 1 : right]
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        start = offset + left + 1 + lead
        cells.append(_Cell(stripped, start, start + len(stripped)))
    return cells


def _rows_of_line(cells: list[_Cell]) -> list[list[_Cell]]:
    """One line's rows: itself, or — for a table flattened onto one line — its rows by width."""
    first_separator = next((i for i, c in enumerate(cells) if _SEPARATOR.match(c.text)), None)
    if not first_separator:
        return [cells]
    header = cells[:first_separator]
    if header and not header[-1].text:
        header = header[:-1]  # the gap between two flattened rows
    width = len(header)
    if width < 2:
        return [cells]
    rows, position = [header], len(header) + (len(header) < first_separator)
    while position < len(cells):
        rows.append(cells[position : position + width])
        position += width
        if position < len(cells) and not cells[position].text:
            position += 1
    return rows


def _is_table_line(paragraph: Paragraph) -> bool:
    return paragraph.text.lstrip().startswith("|") and paragraph.text.count("|") >= 3


class _Table:
    def __init__(self, header: list[_Cell], pub: Publication):
        self.columns: list[_Column] = []
        self.indicator = None
        self.unit = None
        years = []
        for index, cell in enumerate(header):
            match = _YEAR_CELL.match(cell.text)
            if match:
                label = match.group(2) or match.group(3) or ""
                years.append((index, int(match.group(1)), bool(_BASE_LABEL.search(label))))
            elif _UNIT_HEAD.match(cell.text):
                self.unit = index
            elif self.indicator is None and _INDICATOR_HEAD.search(cell.text):
                self.indicator = index
        if self.indicator is None:
            self.indicator = next(
                (i for i, c in enumerate(header) if c.text and not _SKIP_HEAD.match(c.text)
                 and i != self.unit and i not in {y[0] for y in years}),
                None,
            )  # fmt: skip
        for position, (index, year, labelled) in enumerate(years):
            if pub.date is not None:
                base = labelled or year < pub.date.year
            else:
                base = labelled or (position == 0 and len(years) > 1)
            self.columns.append(_Column(index, year, base))


def _unit_and_indicator(table: _Table, row: list[_Cell]) -> tuple[str, str]:
    indicator = row[table.indicator].text
    unit = row[table.unit].text if table.unit is not None and table.unit < len(row) else ""
    trailing = _TRAILING_UNIT.search(indicator)
    if trailing and not unit:
        unit = trailing.group(1).strip()
    if trailing and (unit == trailing.group(1).strip()):
        indicator = indicator[: trailing.start()].strip()
    return indicator, unit


def table_facts(
    clean_text: str, paragraphs: list[Paragraph], pub: Publication, region: str | None = None,
    issuer: str | None = None,
) -> tuple[list[TargetMention], list[IndicatorValue], set[int]]:
    """Targets and reported figures of the indicator tables, and the paragraphs they cover."""
    targets: list[TargetMention] = []
    values: list[IndicatorValue] = []
    covered: set[int] = set()
    table: _Table | None = None
    for paragraph in paragraphs:
        if not _is_table_line(paragraph):
            table = None
            continue
        for row in _rows_of_line(_cells(paragraph.text, paragraph.start)):
            if all(_SEPARATOR.match(c.text) or not c.text for c in row):
                continue
            if table is None or not table.columns:
                candidate = _Table(row, pub)
                if candidate.columns and candidate.indicator is not None:
                    table = candidate
                    covered.add(paragraph.index)
                continue
            covered.add(paragraph.index)
            if table.indicator >= len(row):
                continue
            indicator, unit = _unit_and_indicator(table, row)
            if len(indicator) < 2:
                continue
            evidence_start, evidence_end = row[0].start, row[-1].end
            evidence = clean_text[evidence_start:evidence_end]
            for column in table.columns:
                if column.index >= len(row):
                    continue
                match = _VALUE.match(row[column.index].text)
                if not match:
                    continue
                cell_unit = unit or ("%" if match.group("pct") else "")
                if not cell_unit:
                    continue
                numbers = [float(match.group(g).replace(",", "")) for g in ("n1", "n2") if match.group(g)]
                comparator = "range" if len(numbers) == 2 else (
                    _SUF.get(match.group("suf") or "") or _PRE.get(match.group("pre") or "") or "=")
                for number in numbers:
                    if column.base:
                        values.append(IndicatorValue(
                            indicator=indicator, value=number, unit=cell_unit, period=str(column.year),
                            period_precision="year", value_kind="change" if _CHANGE.search(indicator) else "level",
                            region=region, evidence=evidence, evidence_start=evidence_start, evidence_end=evidence_end,
                        ))  # fmt: skip
                    else:
                        targets.append(TargetMention(
                            indicator=indicator, value=number, unit=cell_unit, comparator=comparator,
                            target_year=column.year, baseline_year=None, evidence=evidence,
                            evidence_start=evidence_start, evidence_end=evidence_end, region=region, issuer=issuer,
                        ))  # fmt: skip
    return targets, values, covered
