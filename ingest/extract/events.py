"""Dated events: meetings, visits, releases, launches, selections, signings, funds.

An event needs a trigger (a verb or an event noun) and a date.  The date is the
nearest date expression before the trigger in its sentence (or after it in the
same clause); relative dates resolve against the publication date.  A sentence
that points back (会上, 当天, 此次) or whose relative date cannot be resolved
takes the date of the paragraph's previous event, else the one year its
paragraph names.  当天/同日/开幕当天 take the day of the event just reported
(同日 introduces another event, never a repeat); 次日/翌日 the day after it;
月中/下旬 with no month its month; 这一年/同年 the year the text last named.  A clause that announces or plans (将于, 计划, 力争, 明年) yields no
event, nor does a running total (今年以来…已签约).  A document's own issuance (title 关于…的通知 + 发文字号) is a
policy_release dated by its 成文日期, else the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ingest.extract.dates import DateMention, PartialDate, Publication, find_dates
from ingest.extract.model import EventMeasure, EventMention
from ingest.extract.sentences import Paragraph, Sentence
from ingest.extract.values import event_measures

_MEETING_NOUN = (
    r"会议|常委会|党代会|两会|人代会|全会|座谈会|推进会|推进大会|工作会|联席会|现场会|调度会|部署会|代表大会|务虚会"
    r"|专题会|协调会|办公会|汇报会|动员会|分析会|恳谈会|观摩会|例会"
)
_CONFERENCE_NOUN = (
    r"大会|论坛|峰会|博览会|展览会|交易会|洽谈会|研讨会|发布会|年会|大赛|推介会|对接会|招商会|高峰会"
    r"|(?:文化|旅游|艺术|电影|音乐|美食|购物|消费|科技|读书)节|[\u4e00-\u9fff](?:博|洽|交)会"
)
_GATHERING_VERB = re.compile(r"召开|举行|举办|开幕|闭幕|参加|出席|审议|主持|隆重|协商议政|召集")
_TRIGGERS = re.compile(
    rf"(?P<meeting>{_MEETING_NOUN})"
    rf"|(?P<conference>{_CONFERENCE_NOUN})"
    r"|(?P<visit>考察|视察|到访|莅临|来访|走访|(?<=[到赴来])[^,。;]{1,12}?调研|一行[^,。;]{0,12}?调研)"
    r"|(?P<selection>入选|获批|获评|被评为|荣获|列入|被认定为|被确定为|被命名为|榜上有名|成功上榜)"
    r"|(?P<signing>签约|签署|签订)"
    # 设立…基金 / …基金(二期)正式设立
    r"|(?P<fund_launch>(?:设立|组建|成立|发起|启动|推出)(?:了)?[^,。;]{0,25}?基金|基金(?:[一二三四]期)?(?:正式)?(?:设立|组建|成立))"
    r"|(?P<policy_effective>生效|起施行|正式施行|起实施|正式实施|开始施行)"
    r"|(?P<launch>启用|启动|开通|上线|揭牌|开园|开工|(?<![驱推劳发启带联互运主变行调流活])动工|奠基|竣工|落成|投产|投用|正式运营|投入运营|投入使用|开业|成立"
    r"|通水|通车|通航)"
    # 提出“晋江经验”: a short quoted name is a policy idea; a long quote is a remark.
    r"|(?P<policy_release>印发|出台|颁布|批复|(?:发布|公布)(?=《)|提出(?=“[^”]{1,10}”))"
)
_ANAPHORA = re.compile(r"会上|会前|会后|结束后|随后|紧接着|会议期间|大会上|当天|当日|同日|此次|本次|活动中|仪式上|式上|(?:会|节|展|活动)期间")
# A clause that announces or plans: 将于下月举办, 计划明年开工, 力争新开工…  — not (yet) an event.
_AHEAD = re.compile(
    r"将于|将在|将自|将持续|将[新再]?(?:举办|举行|召开|启动|开工|签约|签署|投产|建成|开通|上线|揭牌)|计划(?!单列)|拟于|拟在|力争|预计|即将|有望|届时|明年|下月|下周"
)
_RANGE_END = re.compile(r"\d\s*[—\-~]$")  # 2024—2027年: the end of a plan's span
_BUSINESS = re.compile(r"经贸|招商|投资|对接|推介|洽谈|合作交流")
_SAME_DAY = re.compile(r"^(?:当天|当日|同日|同一天)")
_UNRESOLVED_RELATIVE = re.compile(r"昨日|昨天|今天|今日|近日|日前|去年|今年|前天|\d{1,2}日")
_LOCATION = re.compile(
    r"(?:在|于)([\u4e00-\u9fffA-Za-z0-9()]{2,24}?)(?:隆重|盛大|顺利|正式|成功)?(?:举行|召开|举办|开幕|揭牌|签约|启动|开园)"
)
_NOT_LOCATION = re.compile(r"^(?:全市|全省|全县|全国|各地|此|这里|线上|网上|会上|期间)|期间$|时$|上$")
_NAME_LEAD = re.compile(r"^(?:[\s●•\-—*]|【[^】]{0,20}】|\((?:记者|通讯员|本报)[^)]{0,30}\)|自|于|在|从|记者从|据|昨日|昨天|今天|今日|近日|日前|会上|当天|当日|此次|本次)+")
_CLAUSE_BOUNDARY = re.compile(r"(?<!\d),|,(?!\d{3})|[;:]")
_YEAR_ONLY = re.compile(r"(?:19|20)\d{2}")

# The document's own issuance.
_DOC_NUMBER = re.compile(r"(?<![(])[\u4e00-\u9fff]{1,10}[〔\[【(]\s*((?:19|20)\d{2})\s*[〕\]】)]\s*\d{1,4}\s*号")
# A title may be wrapped over two lines (关于印发…发展战\n略工作方案的通知).
# 关于印发《…》的通知 names the issued text in guillemets; …的实施意见 is an 意见 too.
_TITLE = re.compile(r"关于(?:[^。《》,;:]|《[^》]{1,80}》){2,80}?的(?:实施)?(?:通知|批复|意见|决定|公告|通告)")
_HEAD_CHARS = 3000
_FORWARDING = re.compile(r"现将《([^》]{2,80})》(?:印发|转发|发布)|《([^》]{2,80})》[^。《]{0,40}?现(?:予)?(?:印发|转发|发布)给")
_SIGNED = re.compile(r"成文日期")
_DATE_LINE = re.compile(r"^\s*(?:(?:19|20)\d{2}|[〇零一二][〇零一二三四五六七八九]{3})\s*年[^,。;]{1,8}[日号]\s*$")
_IN_FORCE_ON_ISSUE = re.compile(r"自(?:印发|发布|公布)之日起(?:施行|实施|生效)")


_HAS_DIGIT = re.compile(r"[\d一二三四五六七八九十两]")


def _location(text: str) -> str | None:
    """在泉州人民会堂举行 → 泉州人民会堂."""
    for match in _LOCATION.finditer(text):
        place = match.group(1)
        if not _NOT_LOCATION.search(place) and not re.search(r"(?:19|20)\d{2}年|\d+月|\d+日", place):
            return place
    return None


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


def _names_body(text: str, match: re.Match[str], matches: list[re.Match[str]]) -> bool:
    """A gathering noun that is the subject of a later gathering in its clause (X大会主席团举行…会议)."""
    _, end = _clause_bounds(text, match.start())
    for later in matches:
        if later.start() <= match.end() or later.start() >= end or _event_type(later) not in ("meeting", "conference"):
            continue
        verb = _GATHERING_VERB.search(text, match.end(), later.start())
        if verb and verb.start() > match.end():
            return True
    return False


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


_NAMED_YEAR = re.compile(r"(?<![到至\d])((?:19|20)\d{2})\s*年(?!底前|前|以前|之前)")


def _last_named_year(text: str, last: int | None) -> int | None:
    """The last year a sentence names as a time (2023年,…), not a deadline (到2025年)."""
    if "年" not in text:
        return last
    found = None
    for found in _NAMED_YEAR.finditer(text):
        pass
    return int(found.group(1)) if found else last


def _anaphor(mention: DateMention, event: PartialDate | None, year: int | None) -> DateMention:
    """当天/同日 → the day of the event just reported; 这一年/同年 → the year last named."""
    if not mention.anaphoric:
        return mention
    if mention.same_year:
        return replace(mention, date=PartialDate(year) if year else None)
    if mention.same_month:  # 月中,…: the month of the event just reported, no finer
        return replace(mention, date=PartialDate(event.year, event.month) if event and event.month else None)
    if mention.next_day:  # 次日,…: the day after the event just reported
        if event is None or event.day is None:
            return replace(mention, date=None)
        following = dt.date(event.year, event.month, event.day) + dt.timedelta(days=1)
        return replace(mention, date=PartialDate(following.year, following.month, following.day))
    return replace(mention, date=event)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _alike(a: str, b: str) -> bool:
    """Two names of one event (a headline and its body sentence) share much of their wording."""
    left, right = _bigrams(a), _bigrams(b)
    return bool(left and right) and 2 * len(left & right) / (len(left) + len(right)) >= 0.4


def _compatible(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


class _Collector:
    def __init__(self, clean_text: str):
        self.clean_text = clean_text
        self.events: list[EventMention] = []
        self.strengths: list[int] = []

    def add(
        self, date: PartialDate, kind: str, name: str, location: str | None, sentence: Sentence, strength: int = 2,
        measures: tuple[EventMeasure, ...] = (), distinct: bool = False,
    ) -> None:
        iso = date.iso()
        # One event per type and date: a later mention of the same event (a headline
        # repeated in the body, 本次大会…) adds nothing, unless it is better evidenced.
        # 同日,B也举行…: another event of the same day, never a repeat.
        for index, existing in enumerate(self.events):
            if (
                not distinct and existing.event_type == kind and _compatible(existing.event_date, iso)
                and (strength < 2 or self.strengths[index] < 2 or _alike(existing.name, name))
            ):
                finer = len(iso) > len(existing.event_date)
                # a headline's bare year (我县举行2024年…开工活动) yields to the day the body gives
                vague = existing.date_precision == "year" and finer
                if (self.strengths[index] > strength and not vague) or (self.strengths[index] == strength and not finer):
                    return
                del self.events[index], self.strengths[index]
                break
        self.strengths.append(strength)
        self.events.append(
            EventMention(
                event_date=iso, date_precision=date.precision, event_type=kind, name=name, location=location,
                evidence=self.clean_text[sentence.start : sentence.end],
                evidence_start=sentence.start, evidence_end=sentence.end, measures=measures,
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
        # No 关于…的通知 title: the covering sentence 现将《…》印发给你们 names what is issued.
        forwarding = _FORWARDING.search(head)
        if forwarding is None:
            return None
        sentence = next(
            (x for p in paragraphs for x in p.sentences if x.start <= forwarding.start() < x.end), None
        )
        if sentence is None:
            return None
        title = (sentence, f"印发《{forwarding.group(1) or forwarding.group(2)}》")
    number = _DOC_NUMBER.search(head)
    signed = None
    for paragraph in paragraphs:
        label = _SIGNED.search(paragraph.text)
        if label or _DATE_LINE.match(paragraph.text):
            found = [
                d for d in find_dates(paragraph.text[label.end() :] if label else paragraph.text, pub)
                if d.explicit and d.date and d.date.day
            ]  # fmt: skip
            if found:
                signed = found[0].date
                if label:
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
    last_event: PartialDate | None = None  # 当天下午… in the next paragraph: the day just reported
    last_year: int | None = None  # 这一年: the year the text last named
    for paragraph in paragraphs:
        paragraph_event: PartialDate | None = None
        for sentence in paragraph.sentences:
            text = sentence.text
            matches = list(_TRIGGERS.finditer(text)) if not (own and sentence.start == own[0].start) else []
            if not matches:
                # the document's own issuance is added once, above
                last_year = _last_named_year(text, last_year)
                continue
            dates = [
                _anaphor(d, (last_event or paragraph_event) if d.next_day else (paragraph_event or last_event), last_year)
                for d in find_dates(text, pub)
                if not _inside(text, d.start, "《", "》") and not _RANGE_END.search(text, 0, d.start)
            ]  # fmt: skip
            last_year = _last_named_year(text, last_year)
            if own and _IN_FORCE_ON_ISSUE.search(text):
                collector.add(own[2], "policy_effective", _IN_FORCE_ON_ISSUE.search(text).group(), None, sentence)
            distinct = any(d.distinct for d in dates)
            seen_types = set()
            measures = None
            for match in matches:
                kind = _event_type(match)
                if kind == "meeting" and _BUSINESS.search(text, max(0, match.start() - 15), match.start()):
                    kind = "conference"  # 经贸合作推进会, 招商推进会: an open business gathering, not a session
                if _AHEAD.search(text, *_clause_bounds(text, match.start())):
                    continue  # 将于下月举办, 计划明年开工: announced, not (yet) happened
                if kind in ("meeting", "conference") and _names_body(text, match, matches):
                    continue  # 大会主席团举行第一次会议: the 大会 names who meets; the event is the 会议
                strength = 0 if kind in seen_types else _trigger_strength(text, match, dates)
                if not strength:
                    continue
                date = _pick_date(text, match.start(), dates)
                if date is None and (_ANAPHORA.search(text) or _UNRESOLVED_RELATIVE.search(text)):
                    date = paragraph_event
                    if date is None and (_SAME_DAY.match(text) or _ANAPHORA.search(text)):
                        date = last_event  # 会前,… / 此次… in the next paragraph: the event just reported
                    date = date or _paragraph_year(paragraph, pub)
                    strength = 1
                if date is None:
                    continue
                seen_types.add(kind)
                name = _name(text, match.start(), dates)
                if measures is None:
                    measures = tuple(EventMeasure(*m) for m in event_measures(text)) if _HAS_DIGIT.search(text) else ()
                collector.add(date, kind, name, _location(text), sentence, strength, measures, distinct)
                paragraph_event = paragraph_event or date
                if date.precision == "day":
                    last_event = date
    return collector.events
