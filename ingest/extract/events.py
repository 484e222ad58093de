"""Dated events: meetings, visits, releases, launches, selections, signings, funds.

An event needs a trigger (a verb or an event noun) and a date.  The date is the
nearest date expression before the trigger in its sentence (or after it in the
same clause); relative dates resolve against the publication date.  A sentence
that points back (会上, 当天, 此次) or whose relative date cannot be resolved
takes the date of the paragraph's previous event, else the one year its
paragraph names.  A document's own issuance (title 关于…的通知 + 发文字号) is a
policy_release dated by its 成文日期, else the publication date.
"""

from __future__ import annotations

import re

from ingest.extract.dates import DateMention, PartialDate, Publication, find_dates
from ingest.extract.model import EventMention
from ingest.extract.sentences import Paragraph, Sentence

_MEETING_NOUN = (
    r"会议|常委会|党代会|两会|人代会|全会|座谈会|推进会|推进大会|工作会|联席会|现场会|调度会|部署会|代表大会|务虚会"
)
_CONFERENCE_NOUN = r"大会|论坛|峰会|博览会|展览会|交易会|洽谈会|研讨会|发布会|年会|大赛|推介会|对接会|招商会|高峰会"
_GATHERING_VERB = re.compile(r"召开|举行|举办|开幕|闭幕|参加|出席|审议|主持|隆重|协商议政|召集")
_TRIGGERS = re.compile(
    rf"(?P<meeting>{_MEETING_NOUN})"
    rf"|(?P<conference>{_CONFERENCE_NOUN})"
    r"|(?P<visit>考察|视察|到访|莅临|来访)"
    r"|(?P<selection>入选|获批|获评|被评为|荣获|列入|被认定为|被确定为|被命名为)"
    r"|(?P<signing>签约|签署|签订)"
    r"|(?P<fund_launch>(?:设立|组建|成立|发起|启动|推出)(?:了)?[^,。;]{0,25}?基金)"
    r"|(?P<policy_effective>生效|起施行|正式施行|起实施|正式实施|开始施行)"
    r"|(?P<launch>启用|启动|开通|上线|揭牌|开园|开工|投产|投用|正式运营|开业|成立)"
    # 提出“晋江经验”: a short quoted name is a policy idea; a long quote is a remark.
    r"|(?P<policy_release>印发|出台|颁布|批复|(?:发布|公布)(?=《)|提出(?=“[^”]{1,10}”))"
)
_ANAPHORA = re.compile(r"会上|会议期间|大会上|当天|当日|同日|此次|本次|活动中|仪式上|会后")
_UNRESOLVED_RELATIVE = re.compile(r"昨日|昨天|今天|今日|近日|日前|去年|今年|前天|\d{1,2}日")
_LOCATION = re.compile(r"在([\u4e00-\u9fff]{2,20}?)(?:隆重)?(?:举行|召开|举办|开幕)")
_NAME_LEAD = re.compile(r"^(?:[\s●•\-—*]|自|于|在|从|记者从|据|昨日|昨天|今天|今日|近日|日前|会上|当天|当日|此次|本次)+")
_CLAUSE_BOUNDARY = re.compile(r"[,;:]")
_YEAR_ONLY = re.compile(r"(?:19|20)\d{2}")

# The document's own issuance.
_DOC_NUMBER = re.compile(r"(?<![(])[\u4e00-\u9fff]{1,10}[〔\[【(]\s*((?:19|20)\d{2})\s*[〕\]】)]\s*\d{1,4}\s*号")
# A title may be wrapped over two lines (关于印发…发展战\n略工作方案的通知).
_TITLE = re.compile(r"关于[^。《》,;:]{2,80}?的(?:通知|批复|意见|决定|公告|通告)")
_HEAD_CHARS = 3000
_SIGNED = re.compile(r"成文日期")
_DATE_LINE = re.compile(r"^\s*(?:(?:19|20)\d{2}|[〇零一二][〇零一二三四五六七八九]{3})\s*年[^,。;]{1,8}[日号]\s*$")
_IN_FORCE_ON_ISSUE = re.compile(r"自(?:印发|发布|公布)之日起(?:施行|实施|生效)")


def _event_type(match: re.Match[str]) -> str:
    return match.lastgroup or "other"


def _inside(text: str, position: int, opening: str, closing: str) -> bool:
    return text.rfind(opening, 0, position) > text.rfind(closing, 0, position)


def _clause_bounds(text: str, position: int) -> tuple[int, int]:
    start = max((m.end() for m in _CLAUSE_BOUNDARY.finditer(text, 0, position)), default=0)
    end_match = _CLAUSE_BOUNDARY.search(text, position)
    return start, end_match.start() if end_match else len(text)


def _trigger_strength(text: str, match: re.Match[str], dates: list[DateMention]) -> int:
    """0: not an event here; 1: weak (a dated name only); 2: a verb says it happened."""
    kind = _event_type(match)
    if kind == "policy_release" and match.group() == "印发" and _inside(text, match.start(), "《", "》"):
        return 0  # a cited title (《…关于印发…的通知》), not an issuance
    if kind in ("meeting", "conference"):
        if _inside(text, match.start(), "“", "”"):
            return 0  # part of a name in quotes (“两会云客厅”)
        start, end = _clause_bounds(text, match.start())
        if _GATHERING_VERB.search(text, start, end):
            return 2
        # A date right before the gathering's name: 2016年,晋江市党代会… / 2024年度首场…常委会会议
        return int(any(
            0 <= match.start() - d.end <= 20 and not re.search(r"[。;]", text[d.end : match.start()])
            for d in dates
            if d.explicit and not d.deadline
        ))
    return 2


def _pick_date(text: str, position: int, dates: list[DateMention]) -> PartialDate | None:
    usable = [d for d in dates if d.date is not None and not d.deadline]
    before = [d for d in usable if d.end <= position]
    if before:
        nearest = before[-1]
        if nearest.date.precision == "year":
            # 昨日,2023年…大会举行: the finer relative date of the same year wins
            finer = [d for d in before if d.date.year == nearest.date.year and d.date.precision != "year"]
            if finer:
                return finer[-1].date
        return nearest.date
    _, clause_end = _clause_bounds(text, position)
    after = [d for d in usable if position <= d.start < clause_end]
    return after[0].date if after else None


def _name(text: str, position: int, dates: list[DateMention]) -> str:
    start, end = _clause_bounds(text, position)
    for d in dates:  # drop a leading date from the clause
        if d.start <= start + 1 and d.end > start and d.end <= position:
            start = d.end
    name = _NAME_LEAD.sub("", text[start:end]).strip()
    return name[:60] or text[max(0, position - 10) : position + 10]


def _paragraph_year(paragraph: Paragraph, pub: Publication) -> PartialDate | None:
    years = {
        d.date.year
        for sentence in paragraph.sentences
        for d in find_dates(sentence.text, pub)
        if d.explicit and not d.deadline and d.date is not None
    }
    return PartialDate(years.pop()) if len(years) == 1 else None


def _compatible(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


class _Collector:
    def __init__(self, clean_text: str):
        self.clean_text = clean_text
        self.events: list[EventMention] = []
        self.strengths: list[int] = []

    def add(
        self, date: PartialDate, kind: str, name: str, location: str | None, sentence: Sentence, strength: int = 2
    ) -> None:
        iso = date.iso()
        # One event per type and date: a later mention of the same event (a headline
        # repeated in the body, 本次大会…) adds nothing, unless it is better evidenced.
        for index, existing in enumerate(self.events):
            if existing.event_type == kind and _compatible(existing.event_date, iso):
                finer = len(iso) > len(existing.event_date)
                if self.strengths[index] > strength or (self.strengths[index] == strength and not finer):
                    return
                del self.events[index], self.strengths[index]
                break
        self.strengths.append(strength)
        self.events.append(
            EventMention(
                event_date=iso, date_precision=date.precision, event_type=kind, name=name, location=location,
                evidence=self.clean_text[sentence.start : sentence.end],
                evidence_start=sentence.start, evidence_end=sentence.end,
            )
        )  # fmt: skip


def _own_issuance(
    normalised: str, paragraphs: list[Paragraph], pub: Publication
) -> tuple[Sentence, str, PartialDate] | None:
    """The document's own issuance: its title line, a name, and the date it was signed or published."""
    head = normalised[:_HEAD_CHARS]
    title = None
    for match in _TITLE.finditer(head):
        if not _inside(head, match.start(), "《", "》"):
            line_start = head.rfind("\n", 0, match.start()) + 1
            line_end = head.find("\n", match.end())
            line_end = len(head) if line_end < 0 else line_end
            raw = head[line_start:line_end]
            start = line_start + len(raw) - len(raw.lstrip())
            end = line_end - (len(raw) - len(raw.rstrip()))
            title = (Sentence(start, end, head[start:end], -1), match.group().replace("\n", ""))
            break
    if title is None:
        return None
    number = _DOC_NUMBER.search(head)
    signed = None
    for paragraph in paragraphs:
        if _SIGNED.search(paragraph.text) or _DATE_LINE.match(paragraph.text):
            found = [d for d in find_dates(paragraph.text, pub) if d.explicit and d.date and d.date.day]
            if found:
                signed = found[0].date
                if _SIGNED.search(paragraph.text):
                    break
    if number is None and signed is None:
        return None
    date = signed or pub.at_precision() or (PartialDate(int(number.group(1))) if number else None)
    if date is None:
        return None
    name = title[1] + (f"({number.group()})" if number else "")
    return title[0], name, date


def extract_events(
    clean_text: str, normalised: str, paragraphs: list[Paragraph], pub: Publication
) -> list[EventMention]:
    collector = _Collector(clean_text)
    own = _own_issuance(normalised, paragraphs, pub)
    if own:
        sentence, name, date = own
        collector.add(date, "policy_release", name, None, sentence)
    for paragraph in paragraphs:
        paragraph_event: PartialDate | None = None
        for sentence in paragraph.sentences:
            text = sentence.text
            matches = list(_TRIGGERS.finditer(text))
            if not matches:
                continue
            dates = find_dates(text, pub)
            if own and _IN_FORCE_ON_ISSUE.search(text):
                collector.add(own[2], "policy_effective", _IN_FORCE_ON_ISSUE.search(text).group(), None, sentence)
            seen_types = set()
            for match in matches:
                kind = _event_type(match)
                strength = 0 if kind in seen_types else _trigger_strength(text, match, dates)
                if not strength:
                    continue
                date = _pick_date(text, match.start(), dates)
                if date is None and (_ANAPHORA.search(text) or _UNRESOLVED_RELATIVE.search(text)):
                    date = paragraph_event or _paragraph_year(paragraph, pub)
                    strength = 1
                if date is None:
                    continue
                seen_types.add(kind)
                location = _LOCATION.search(text)
                name = _name(text, match.start(), dates)
                collector.add(date, kind, name, location.group(1) if location else None, sentence, strength)
                paragraph_event = paragraph_event or date
    return collector.events
