"""Reported figures: values a text states as achieved or observed, with the period they describe.

A figure is reported when a period the text fixes governs it and nothing marks it
as a goal or a forecast:
- an explicit past period: 2021年完成GDP…, 2023年5月, 2023年1-6月, 2022年上半年;
- a cut-off: 截至2021年底 / 截至去年底 / 截至目前 (the publication date);
- a relative period: 去年 / 上年 (publication year − 1), 今年以来 (publication year),
  1-6月 / 上半年 / 一季度 (month-end of the publication year), 目前 / 现有 (the
  publication date as precisely as it is known).
In a statistics bulletin (2024年…统计公报) every figure without a period of its
own (全年, 年末) reports the bulletin's year.  A baseline (比2020年, 在2023年基础上)
is never a period.  A sentence led by a day (9月20日…集中开工) tells an event: its
amounts are the event's measures, as are a deal's (签约项目…), unless a running
total over a statistical span (1—8月累计签约…) makes them a statistic.
A clause with a deadline (到2025年, 2025年前, “十四五”期间), a future marker (力争,
预计, 将), a standing goal (每年) or a forecast (达产后) yields nothing.  Without a
determinable period a figure is skipped, never guessed.

A period at the head of a sentence governs the whole sentence and the following
sentences of its paragraph; a period inside a clause governs the figures after
it in the sentence (高新技术企业2019年165家到2020年252家 → two periods).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.extract.dates import (
    PartialDate as _Period,  # a reported figure's period is a partial date
)
from ingest.extract.dates import Publication, cn_small_number
from ingest.extract.document import clause_place
from ingest.extract.model import IndicatorValue
from ingest.extract.numbers import find_quantities
from ingest.extract.sentences import Paragraph
from ingest.extract.targets import _post_noun, _strip_indicator

_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_QUARTERS = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_HALF = {"上半年": 6, "下半年": 12, "前三季度": 9, "前两季度": 6, "前二季度": 6}

_PERIOD = re.compile(
    r"(?P<cut>截至|截止到|截止|至)?\s*"
    r"(?:(?P<y>(?:19|20)\d{2})\s*年(?:度)?|(?P<ry>去年|上年|前年|今年|本年|当年|上一年|过去一年))?"
    r"(?:"
    rf"(?P<m1>1|一)\s*(?:-|—|~|至|到)\s*(?P<m2>{_MONTH})\s*月(?:份)?"
    r"|前(?P<first>[一二三四五六七八九十]{1,2}|\d{1,2})个月"
    r"|(?P<half>上半年|下半年|前三季度|前两季度|前二季度)"
    r"|(?:第)?(?P<q>[一二三四1-4])季度"
    rf"|(?P<m>{_MONTH})\s*月(?:份)?(?P<mend>底|末)?(?![\d一二三四五六七八九十]{{1,2}}\s*[日号])"
    r"|(?P<end>底|末)"
    r"|(?P<since>以来)"
    r"|(?P<full>全年)"
    r")?"
)
_PERIOD_START = re.compile(
    r"截至|截止|至|(?:19|20)\d{2}\s*年|去年|上年|前年|今年|本年|当年|上一年|过去一年|[1一]\s*(?:-|—|~|至|到)"
    r"|前(?:[一二三四五六七八九十]{1,2}|\d{1,2})个月|上半年|下半年|前三季度|前两季度|前二季度|第?[一二三四1-4]季度"
    rf"|{_MONTH}\s*月|底|末|以来|全年"
)
_NOW = re.compile(r"截至目前|截止目前|目前|当前|现有|至今|现已|眼下")
# Marks of a goal, a plan or a forecast: the clause is not a report.
_FUTURE = re.compile(
    r"力争|争取|确保|预计|预期|计划(?!单列)|目标|将(?!近)|拟|力求|有望|努力|每年|年均|十[一二三四五六七]五|届时"
    r"|达产|投产后|建成后|满产"
)
_DEADLINE_LEAD = re.compile(r"(?:到|至|力争到|争取到|力争在|争取在)\s*$")
_BASELINE_LEAD = re.compile(r"(?:比|较|相比|相较|与|同)\s*$")
_BASELINE_SUFFIX = re.compile(r"\s*(?:底|末)?(?:的)?(?:基础上|水平上|为基数|为基准|为基期)")
# A dated name, not a period: 2023年泉州市创新大会, 2024年度首场…会议, 2023年政府工作报告.
_NAME_AFTER = re.compile(
    r"^[^,。;:、]{0,20}?(?:会议|大会|论坛|峰会|博览会|年会|大赛|活动|规划|计划|方案|报告|名单|工程|行动|纲要|版|榜单|赛|节|展|会)"
)
_CHANGE = re.compile(
    r"(?:同比|环比|比上年|较上年|比去年|较去年|比上年同期|较上年同期|比(?:19|20)\d{2}\s*年(?:底|末)?|较(?:19|20)\d{2}\s*年)?"
    r"(?:分别)?(?:净)?(?:增长|增加|提高|提升|下降|减少|回落|增速|增幅|上升|上涨|下跌|降低|扩大|缩小|增)(?:了)?(?:达到|达|为)?\s*$"
)
_CHANGE_WORD = re.compile(r"(?:同比|环比|比上年同期|较上年同期|比上年|较上年|比去年|较去年|比(?:19|20)\d{2}\s*年|较(?:19|20)\d{2}\s*年|分别|净|了)")
_LEAD = re.compile(r"^(?:年末|年底|全市|全省|全县|全区|全州|全镇|共有|共计|总共|合计|总计|共|累计|已有|已|拥有|现有|实现|完成|全年|其中|当年|有)+")
_TRAIL = re.compile(r"(?:共有|共计|共|累计|已有|已达|已|达到|达|为|是|有|突破|超过|超|增至|增加到|提高到|提升到)+$")
_CLAUSE = re.compile(r"(?:[^,:;。]|(?<=\d),(?=\d{3}))+")
_CONNECTIVE = re.compile(r"[\s到至和及与、]|分别|增加到|增至|提高到|减少到|下降到")
# Classifiers (and amounts) that may stand before the counted noun: 50个省级以上科研团队, 50亿元产业母基金.
_COUNTED = re.compile(r"^(?:[万亿千百]*(?:个|家|项|条|所|座|处|台|套|辆|艘|架|名|位|件|批|支|只|种|款|部|元))$")
_NOT_NOUN = re.compile(r"^(?:以上|左右|以下|以内|及以上|多|余|同比|比上年|较上年|增长|下降|其中|占|的|到|至|和|及|与|比|较|同|达)|\d")
_EVENT_WORDS = re.compile(r"入选|获批|获评|签约|签署|举办|举行|召开|参加|出席|评为|列入")
_SKIP_UNITS = ("个工作日",)
_MAX_INDICATOR = 24


@dataclass(frozen=True)
class _PeriodMention:
    start: int
    end: int
    period: _Period | None  # None: a deadline, a baseline or a name — it ends what came before


def _month_number(token: str) -> int:
    return cn_small_number(token)


def _now(pub: Publication) -> _Period | None:
    if not pub.date:
        return None
    if pub.precision == "day":
        return _Period(pub.date.year, pub.date.month, pub.date.day)
    return _Period(pub.date.year, pub.date.month)


def _resolve(match: re.Match[str], pub: Publication, text: str) -> _Period | None | bool:
    """The period a _PERIOD match denotes; False when it is not a period at all."""
    group = match.group
    if group("y"):
        year = int(group("y"))
        explicit = True
    elif group("ry"):
        if not pub.date:
            return None
        year = pub.date.year + {"去年": -1, "上年": -1, "上一年": -1, "过去一年": -1, "前年": -2}.get(group("ry"), 0)
        explicit = False
    else:
        year, explicit = None, False
    month = None
    if group("m2"):
        month = _month_number(group("m2"))
    elif group("first"):
        month = _month_number(group("first"))
    elif group("half"):
        month = _HALF[group("half")]
    elif group("q"):
        month = _QUARTERS[group("q")]
    elif group("m"):
        month = _month_number(group("m"))
    if year is None:
        if month is None or not pub.date:
            return False  # nothing here or nothing to resolve against
        span = group("m2") or group("first") or group("half") or group("q")
        if not span and "份" not in match.group() and not group("cut") and not group("mend"):
            return False  # a bare 5月 is a date of something, not a statistical period (5月份 is)
        year = pub.date.year if month <= pub.date.month else pub.date.year - 1
    if group("ry") in ("今年", "本年", "当年") and not (month or group("since") or group("full")):
        return False  # 今年 alone governs this year's goals (targets), not reports
    if group("since") and not explicit and group("ry") not in ("今年", "本年"):
        return False
    if group("since") and explicit:
        now = _now(pub)  # 2018年以来, 累计… : the running total at publication
        return _Period(now.year) if now else None
    if month is not None and not 1 <= month <= 12:
        return False
    if not explicit and not month and group("ry") in ("今年", "本年") and group("since") and pub.date:
        return _Period(pub.date.year)
    return _Period(year, month)


# A deal's or an event's own amounts (签约项目31个, 此次开工项目15个, 展会期间推介新品种2000个): event measures.
_DEAL = re.compile(r"签约|签署|签订|此次|本次|(?:会|节|展|活动)期间|仪式上|活动中")
# 1—8月,全县累计签约项目42个: a running total of deals over a statistical span is a statistic, not one
# deal's amounts (今年以来已签约…, news narrative of recent deals, stays the deals' measures).
_CUMULATIVE = re.compile(
    rf"累计|(?:1|一)\s*(?:-|—|~|至|到)\s*{_MONTH}\s*月|前(?:[一二三四五六七八九十]{{1,2}}|\d{{1,2}})个月"
    r"|上半年|下半年|前三季度|季度"
)
# A sentence led by a day (9月20日, 2024年9月20日上午): it tells an event, and its amounts are the event's.
_DAY_LEAD = re.compile(rf"^\s*(?:(?:19|20)\d{{2}}\s*年)?\s*{_MONTH}\s*月\s*(?:[12]\d|3[01]|0?[1-9])\s*[日号]")
_DAY_EVENT = re.compile(r"开工|签约|签署|举行|召开|举办|开幕|揭牌|投产|竣工|启动|开园|落成|奠基|启用|开业")
_REVIEW_SECTION = re.compile(r"回顾|基础|成就|成效|进展|完成情况|总结|现状|发展环境")


def _section_period(heading: str, pub: Publication) -> _Period | None:
    """The period a review heading covers (一、2023年工作回顾 → 2023); None for any other heading."""
    if not _REVIEW_SECTION.search(heading):
        return None
    for mention in find_periods(heading, pub):
        if mention.period is not None:
            return mention.period
    return None


# 2024年绵阳市国民经济和社会发展统计公报: every figure in the bulletin reports its year (全年, 年末 included).
_BULLETIN = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?[^。;\n]{0,40}?统计(?:公报|年报|快报)")


def _bulletin_period(paragraphs: list[Paragraph], pub: Publication) -> _Period | None:
    """The year a statistics bulletin reviews, from its title near the top; None for any other document."""
    match = next(
        (m for p in paragraphs[:6] if len(p.text) <= 80 and "。" not in p.text and (m := _BULLETIN.search(p.text))),
        None,
    )  # a title line, not a sentence citing a bulletin
    if not match:
        return None
    year = int(match.group(1))
    if pub.date is not None and year > pub.date.year:
        return None
    return _Period(year)


def find_periods(text: str, pub: Publication) -> list[_PeriodMention]:
    """Period expressions in a sentence, and deadlines/baselines/names that interrupt them."""
    found = []
    matched_to = 0
    # _PERIOD can match the empty string anywhere: try it only where a period can begin.
    for anchor in _PERIOD_START.finditer(text):
        if anchor.start() < matched_to:
            continue
        match = _PERIOD.match(text, anchor.start())
        if match.end() == match.start():
            continue
        matched_to = match.end()
        core_start = match.start("y") if match.group("y") else match.start("ry") if match.group("ry") else match.start()
        if not (match.group("y") or match.group("ry") or match.group("m2") or match.group("first")
                or match.group("half") or match.group("q") or match.group("m")):
            continue
        before = text[:core_start]
        if match.group("y") or match.group("ry"):
            series = bool(
                match.group("y") and found and found[-1].period is not None and found[-1].period.year < int(match.group("y"))
                and (pub.date is None or int(match.group("y")) <= pub.date.year)
            )  # 2019年165家到2020年252家: a series of past values
            if (not match.group("cut") and not series and _DEADLINE_LEAD.search(before)) or re.match(
                r"\s*(?:底|末)?(?:前|以前|之前)", text[match.end() :]
            ):
                found.append(_PeriodMention(match.start(), match.end(), None))
                continue
            if _BASELINE_LEAD.search(before) or _BASELINE_SUFFIX.match(text, match.end()):
                continue  # 比2020年增长 / 在2023年基础上: the baseline of a change, not its period
            if match.group("y") and _NAME_AFTER.match(text[match.end() :]) and not match.group("cut"):
                continue  # 2023年泉州市创新大会
        resolved = _resolve(match, pub, text)
        if resolved is False:
            continue
        if match.group("y") and text[max(0, core_start - 1) : core_start] == "自":
            resolved = _now(pub)  # 自2019年…以来: a running total at publication
            resolved = _Period(resolved.year) if resolved else None
        if match.group("y") and pub.date and resolved and resolved.year > pub.date.year:
            resolved = None  # a future year: a goal, whatever the wording
        found.append(_PeriodMention(match.start(), match.end(), resolved))
    now = _NOW.search(text)
    if now and not any(m.start <= now.start() < m.end for m in found):
        found.append(_PeriodMention(now.start(), now.end(), _now(pub)))
        found.sort(key=lambda m: m.start)
    return found


def _without_place(indicator: str, place: str | None) -> str:
    """泉州国家高新区实现营业总收入 → 营业总收入 (the place is the row's region)."""
    if place and not indicator.startswith(place) and indicator.startswith(place[:-1]) and len(place) > 2:
        place = place[:-1]  # 晋江有… with the region named 晋江市
    if place and indicator.startswith(place) and len(indicator) > len(place) + 1:
        rest, _ = _strip_indicator(indicator[len(place) :])
        rest = _LEAD.sub("", rest)
        return rest if len(rest) >= 2 else indicator
    return indicator


def _indicator(pre: str, previous: str) -> tuple[str, bool]:
    """Indicator from the text before a figure; whether the figure is a change."""
    change = _CHANGE.search(pre)
    base = pre[: change.start()] if change else pre
    base = _PERIOD_TEXT.sub("", base)
    base = _NOW.sub("", base)
    indicator, _ = _strip_indicator(base)
    previous_text = None
    while previous_text != indicator:
        previous_text = indicator
        indicator = _LEAD.sub("", indicator)
        indicator = _TRAIL.sub("", indicator)
        indicator, _ = _strip_indicator(indicator)
    if change:
        word = _CHANGE_WORD.sub("", change.group()).strip()
        word = re.sub(r"(?:达到|达|为)$", "", word) or "增长"
        if len(indicator) < 2:
            indicator = re.sub(r"(?:增长|增速|增幅|下降)$", "", previous)
        indicator = indicator + word if indicator else ""
    return indicator, bool(change)


_PERIOD_TEXT = re.compile(
    r"(?:截至|截止到|截止|至)?(?:(?:19|20)\d{2}\s*年(?:度)?|去年|上年|前年|今年|本年|当年)"
    rf"(?:(?:1|一)\s*(?:-|—|~|至|到)\s*{_MONTH}\s*月(?:份)?|上半年|下半年|前三季度|(?:第)?[一二三四]季度|{_MONTH}\s*月(?:份)?(?:底|末)?|底|末|以来|全年)?"
    rf"|(?:1|一)\s*(?:-|—|~|至|到)\s*{_MONTH}\s*月(?:份)?|上半年|前三季度|(?:第)?[一二三四]季度|以来"
)


def _parallel_parts(indicator: str, count: int) -> list[str]:
    """城镇、农村居民人均可支配收入 → [城镇居民人均可支配收入, 农村居民人均可支配收入] for a 分别 list of two."""
    parts = [part for part in re.split(r"[、和及与]", indicator) if part]
    if len(parts) != count:
        return [indicator]
    last = parts[-1]
    return [part + last[len(part) :] if len(part) < len(last) - 1 else part for part in parts[:-1]] + [last]


def _strip_trailing_period(text: str) -> str:
    return _PERIOD_TEXT.sub("", text)


def extract_values(
    clean_text: str, paragraphs: list[Paragraph], pub: Publication, region: str | None = None
) -> list[IndicatorValue]:
    rows: list[IndicatorValue] = []
    seen: set[tuple] = set()
    bulletin = _bulletin_period(paragraphs, pub)
    section: _Period | None = bulletin  # 一、2023年工作回顾: the period of a review section
    for paragraph in paragraphs:
        if paragraph.is_heading:
            section = _section_period(paragraph.text, pub) or bulletin
        carried: _Period | None = section  # a sentence-leading period governs the paragraph
        for sentence in paragraph.sentences:
            text = sentence.text
            deal = _DEAL.search(text)
            if (deal and not _CUMULATIVE.search(text, 0, deal.start())) or (
                _DAY_LEAD.match(text) and _DAY_EVENT.search(text)
            ):
                carried = None
                continue  # 签约项目31个、总投资92.3亿元 / 9月20日…集中开工,开工项目9个: an event's measures
            quantities_anywhere = any(ch.isdigit() for ch in text) or "百分之" in text or any(
                ch in text for ch in "一二三四五六七八九十两"
            )
            if not quantities_anywhere:
                continue
            periods = find_periods(text, pub)
            leading = next((p for p in periods if p.start <= 4), None)
            current = carried
            evidence = clean_text[sentence.start : sentence.end]
            previous_indicator = ""
            sentence_place = None
            for index, clause_match in enumerate(_CLAUSE.finditer(text)):
                clause = clause_match.group()
                offset = clause_match.start()
                place = clause_place(clause) if re.search(r"[省市县区州]", clause) else None
                place = place or sentence_place
                sentence_place = place or sentence_place
                if _FUTURE.search(clause):
                    current = None  # a goal: nothing after it in this sentence is a report
                    carried = section  # the sentence's leading period was a goal's year; a review section's holds
                    continue
                clause_periods = [p for p in periods if offset <= p.start < offset + len(clause)]
                segment_start = 0
                applied = 0
                quantities = find_quantities(clause)
                position = 0
                while position < len(quantities):
                    quantity = quantities[position]
                    group = [quantity]
                    if "分别" in clause[segment_start : quantity.start]:  # A、B分别为51270元、26840元
                        while position + len(group) < len(quantities) and not clause[
                            group[-1].end : quantities[position + len(group)].start
                        ].strip(" 和、及与"):
                            group.append(quantities[position + len(group)])
                    position += len(group)
                    while applied < len(clause_periods) and clause_periods[applied].start < offset + quantity.start:
                        current = clause_periods[applied].period
                        applied += 1
                    if quantity.unit in _SKIP_UNITS or current is None:
                        segment_start = quantity.end
                        continue
                    pre = clause[segment_start : quantity.start]
                    if pre.count("(") > pre.count(")"):
                        segment_start = quantity.end
                        continue  # (其中国家级9个): a breakdown in parentheses
                    indicator, change = _indicator(pre, previous_indicator)
                    consumed = quantity.end
                    following = clause[quantity.end : quantity.end + 1]
                    if not change and _COUNTED.match(quantity.unit) and "\u4e00" <= following <= "\u9fff":
                        noun, used = _post_noun(clause[quantity.end :])  # 集聚50个省级以上科研团队
                        if "(" in noun:
                            used = clause.find("(", quantity.end) - quantity.end
                            noun = noun.split("(")[0]
                        if len(noun) >= 2 and not _NOT_NOUN.search(noun):
                            indicator, consumed = noun, quantity.end + used
                    if len(indicator) < 2 and not change:
                        noun, used = _post_noun(clause[quantity.end :])
                        if noun:
                            indicator, consumed = _strip_trailing_period(noun), quantity.end + used
                        elif not _CONNECTIVE.sub("", _PERIOD_TEXT.sub("", pre)):
                            indicator = previous_indicator  # 2019年165家到2020年252家: the same indicator
                    if quantity.unit == "个百分点" or (quantity.unit == "倍" and change):
                        change = True
                    segment_start = max(consumed, group[-1].end)
                    if len(indicator) < 2 or (_EVENT_WORDS.search(indicator) and "累计" not in pre):
                        continue  # 入选全国首批50个…: a selection, not a statistic
                    indicator = _without_place(indicator, place or sentence_place)[-_MAX_INDICATOR:]
                    if not change:
                        previous_indicator = indicator
                    kind = "change" if change else "level"
                    names = _parallel_parts(indicator, len(group)) if len(group) > 1 else [indicator]
                    for name, member in zip(names * len(group) if len(names) == 1 else names, group, strict=False):
                        for value in member.values:
                            key = (name, value, member.unit, current.iso())
                            if key in seen:
                                continue
                            seen.add(key)
                            rows.append(
                                IndicatorValue(
                                    indicator=name, value=value, unit=member.unit, period=current.iso(),
                                    period_precision=current.precision, value_kind=kind,
                                    region=place or sentence_place or region,
                                    evidence=evidence, evidence_start=sentence.start, evidence_end=sentence.end,
                                )
                            )  # fmt: skip
                if applied < len(clause_periods):
                    current = clause_periods[-1].period  # a period-only clause governs what follows
                if index == 0 and leading is not None:
                    carried = current
            if text.endswith(";") and current is not None:
                carried = current  # …增长5.1%;规模以上工业增加值增长5.8%: one list of the same period
    return rows


_MEASURE_STOP = re.compile(r"集中|签约|签署|落地|开工|投产|竣工|达成|现场|参会|参加|出席|入驻|进驻")


_MEASURE_LEAD = re.compile(r"^(?:现场|集中|共|累计|当天|当日|会上|此次|本次|活动|期间|其中|共计|总共)+")
_MEASURE_VERB = re.compile(r"设立|组建|成立|发起|推出|启动|达成|吸引|带动")


def event_measures(text: str) -> list[tuple[str, float, str]]:
    """Amounts given in an event's sentence: 签约项目53个、总金额352.55亿元 → two (name, value, unit)."""
    measures: list[tuple[str, float, str]] = []
    previous = ""
    for clause_match in _CLAUSE.finditer(text):
        clause = clause_match.group()
        segment_start = 0
        for quantity in find_quantities(clause):
            if quantity.unit in _SKIP_UNITS or quantity.comparator == "range":
                segment_start = quantity.end
                continue
            pre = clause[segment_start : quantity.start]
            pre = pre[max(pre.rfind("、"), pre.rfind("和"), pre.rfind("及")) + 1 :] if len(pre) > 12 else pre
            name, change = _indicator(pre, previous)
            consumed = quantity.end
            following = clause[quantity.end : quantity.end + 1]
            if len(name) < 2 and not change and "\u4e00" <= following <= "\u9fff":
                noun, used = _post_noun(clause[quantity.end :])  # 12个茶产业项目集中签约
                stop = _MEASURE_STOP.search(noun)
                noun = noun[: stop.start()] if stop else noun
                if len(noun) >= 2 and not _NOT_NOUN.search(noun):
                    name, consumed = noun, quantity.end + used
            segment_start = consumed
            name = _MEASURE_LEAD.sub("", name)
            verb = None
            for verb in _MEASURE_VERB.finditer(name):
                pass
            if verb is not None and len(name) - verb.end() >= 2:
                name = name[verb.end() :]  # 市政府设立规模10亿元 → 规模
            if len(name) < 2 or change:
                continue
            previous = name
            measures.extend((name[-_MAX_INDICATOR:], value, quantity.unit) for value in quantity.values)
    return measures
