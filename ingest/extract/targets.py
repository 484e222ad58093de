"""Quantitative targets: value, unit, comparator, indicator and the deadline that governs them.

The deadline is tracked as a context that flows through a document:
- a clause with 到2025年 / 2025年前 / "十四五"期间 / 今年 (publication year) sets it for
  the rest of its sentence and paragraph;
- a paragraph introducing a list (ending in —— or :) hands it to the bullet lines;
- inside a goals section (a heading containing 目标) it persists across paragraphs
  until the next section heading.
Clauses that report the past (截至, 同比, 2021年完成…, 已, 达产后…) yield nothing.
"""

from __future__ import annotations

import re

from ingest.extract.dates import Publication
from ingest.extract.document import clause_place
from ingest.extract.model import TargetMention
from ingest.extract.numbers import (
    DOUBLING,
    DOUBLING_COMPARATOR,
    DOUBLING_VALUE,
    Quantity,
    find_quantities,
)
from ingest.extract.sentences import Paragraph, Sentence

_CLAUSE = re.compile(r"(?:[^,:]|(?<=\d),(?=\d{3}))+")  # 1,000亿元 is one number, not two clauses
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:底|末)?")
_DEADLINE_PREFIX = re.compile(r"(?:到|至|截至|截止到|力争到|争取到|力争在|争取在|在)\s*$")
_CUTOFF_PREFIX = re.compile(r"(?:截至|截止到|截止)\s*$")
_DEADLINE_SUFFIX = re.compile(r"(?:底|末)?(?:前|以前|之前)")
_BASELINE_PREFIX = re.compile(r"(?:比|较|相比|相较|与)\s*$")
# 在2023年(的)基础上 / 以2020年为基数: the year a change is measured from, never a deadline.
_BASELINE_SUFFIX = re.compile(r"\s*(?:底|末)?(?:的)?(?:基础上|水平上|为基数|为基准|为基期)")
_SINCE_SUFFIX = re.compile(r"(?:以来|起)")
_PLAN_PERIOD = re.compile(r"[“\"]?十([一二三四五六七])五[”\"]?(?:期间|时期|末|期末|规划期)")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_THIS_YEAR = re.compile(r"(?:今年|全年|年内|本年度)(?![\d一二三四五六七八九十上下前]|以来|初|来|季度)")
# Words that mark a sentence as a plan for the future, so a leading "2022年," is a deadline.
_FUTURE = re.compile(r"力争|争取|确保|努力|将|预期目标")
_STRONG_FUTURE = re.compile(r"力争|争取|确保")
# Past or present facts: never targets.
_REPORTED = re.compile(
    r"截至|截止|同比|环比|比上年|较上年|比去年|较去年|去年|上年|现有|目前|以来|已有|已经|已达|已建成|已累计"
    r"|共有|先后|连续|位居|排名|居全|增长了|提高了|下降了|实现了|完成了|已|平均每年"
)
_WEAK_REPORTED = re.compile(r"累计|完成")
_FORECAST = re.compile(r"达产后|投产后|建成后|满产后|达产达效后|达产|全部投产")
_EVERY_YEAR = re.compile(r"每年|年均新增|每年度")
_INLINE_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|第[一二三四五六七八九十]+[章节部分])[^,。;]{1,30}。?$"
)
_BULLET = re.compile(r"^\s*(?:[●•·▪■◆○◇□√*\-]|——|\(?\d{1,2}[.)、]|\(?[一二三四五六七八九十]{1,2}[)、]|[一二三四五六七八九十]是)")

# Indicator clean-up.  Leading: list marks, time phrases, region, verbs; trailing: verbs and comparators.
_LEAD_JUNK = re.compile(r"^(?:[\s、和及与并或;●•·▪■◆○\-—*“”]|\(?\d{1,2}[.)、]|[一二三四五六七八九十]是|其中|同时|此外)+")
_LEAD_TIME = re.compile(
    r"^(?:(?:力争|争取|确保)?(?:到|至|在)?(?:19|20)\d{2}\s*年(?:底|末)?(?:前|以前)?|今年|全年|年内|届时|每年度?"
    r"|(?:到)?[“\"]?十[一二三四五六七]五[”\"]?(?:期间|时期|末|期末)?)"
)
_EMBEDDED_DEADLINE = re.compile(
    r"(?:力争|争取|确保)?(?:到|至|在)(?:19|20)\d{2}\s*年(?:底|末)?(?:前|以前)?|(?:力争|争取|确保)?[“\"]?十[一二三四五六七]五[”\"]?(?:期间|时期|末|期末)"
)
_LEAD_REGION = re.compile(r"^(?:全市|全省|全区|全县|全国|全州|全镇|我市|我省|我区|我县|本市|本省)")
_VERBS = (
    "力争|争取|确保|努力|推动|推进|加快|实现|培育|打造|建成|建设|新建|创建|引进|推广|新增|累计|发展|扶持|支持"
    "|认定|拥有|达到|使|带动|吸引|促进|完成|开展|组织|实施|招引|争创|创成|形成|储备|设立|组建|举办|新培育|新认定"
    "|全力|新引进|引育|要有|必须有|有"
)
_LEAD_VERB = re.compile(rf"^(?:{_VERBS})")
# Verbs after which the counted noun follows the number (建设30个示范车间).
_COUNT_VERB_END = re.compile(rf"(?:{_VERBS})$")
_TRAIL = re.compile(
    r"(?:达到|达|超过|超出|超|突破|提高到|提高至|提升到|提升至|增加到|增加至|增长到|增至|降低到|降低至|降至|下降到|下降至"
    r"|减少到|减少至|控制在|保持在|稳定在|不少于|不低于|不小于|至少|不超过|不高于|大约|约|接近|将近|近|为|在|分别"
    r"|均|都|总计|力争|高于|低于|以上|左右|的|实现|要|达成)$"
)
_BASELINE = re.compile(
    r"(?:比|较|相比|相较)((?:19|20)\d{2})\s*年|(?:在|以)((?:19|20)\d{2})\s*年(?:底|末)?(?:的)?(?:基础上|水平上|为基数|为基准|为基期)"
)
_GROWTH_ONLY = re.compile(r"^(?:年均|年平均|平均|每年)?(?:增长|增速|增幅|提高|提升|递增)率?$")
_GROWTH_TAIL = re.compile(r"(?:年均|年平均|平均)?(?:增长|增速|增幅|提高|提升)率?$")
_MEASURE_SUFFIX = re.compile(r"(?:率|量|比重|占比|水平|指数|密度|总量|规模|比例)$")
_PART_SPLIT = re.compile(r"[、和及与]")
_POST_STOP = re.compile(r"[、和及与,;。]")
_MAX_INDICATOR = 30
# A bare total (改造总量, 总数): the clause before it names what is counted.
_TOTAL_WORD = re.compile(r"总量|总数|数量|总规模|总计")
_GENERIC_MEASURE = re.compile(r"^[\u4e00-\u9fff]{0,3}(?:总量|总数|数量|总规模|规模|总计)$")
_PLACE_HINT = re.compile(r"[省市县区州]")


def _plan_period_year(match: re.Match[str]) -> int:
    return 1955 + 5 * (10 + _CN_DIGIT[match.group(1)])  # 十四五 (14th plan, 2021-2025) → 2025


class _Context:
    """Deadline year flowing through the document (see module docstring)."""

    def __init__(self) -> None:
        self.year: int | None = None
        self.goal_section = False
        self.list_open = False  # the previous paragraph introduced a list or was one of its items
        self.section_goal = False  # the current section heading sets goals (目标, 2024年重点工作)
        self.in_items = False  # inside the section's (一)(二)… sub-items
        self.list_year: int | None = None  # the year in force when those sub-items began


def _strip_indicator(text: str) -> tuple[str, bool]:
    """Trim list marks, time phrases, region words and verbs; report whether a verb ended it."""
    text = _BASELINE.sub("", text)
    embedded = _EMBEDDED_DEADLINE.search(text)
    if embedded and embedded.start() > 0:
        # 泉州国家高新区力争到2025年实现营业总收入…: subject + measure, without the deadline
        subject = _LEAD_REGION.sub("", _LEAD_JUNK.sub("", text[: embedded.start()]))
        subject = re.sub(r"(?:将|要|力争|争取|确保)+$", "", subject)
        text = (subject if len(subject) <= 12 else "") + _LEAD_VERB.sub("", text[embedded.end() :])
    previous = None
    while previous != text:
        previous = text
        text = _LEAD_JUNK.sub("", text)
        text = _LEAD_TIME.sub("", text)
        text = _LEAD_REGION.sub("", text)
        text = _LEAD_VERB.sub("", text)
    verb_final = False
    previous = None
    while previous != text:
        previous = text
        if _COUNT_VERB_END.search(text) and not _TRAIL.search(text):
            text = _COUNT_VERB_END.sub("", text)
            verb_final = True
        text = _TRAIL.sub("", text)
    text = text.strip(" “\"'")
    if text.count("“") > text.count("”"):
        text += "”"  # 专精特新“小巨人”达60家: keep the closing quote the verb split off
    return text.lstrip("”"), verb_final


def _post_noun(text: str) -> tuple[str, int]:
    """The noun counted by a number placed before it (30个|示范性数字化制造、…), and the length used."""
    stop = _POST_STOP.search(text)
    consumed = stop.end() if stop else len(text)
    noun = (text[: stop.start()] if stop else text).lstrip("的").strip()
    if sum("\u4e00" <= ch <= "\u9fff" for ch in noun) < 2:
        return "", 0
    return noun[:20], consumed


def _split_parts(indicator: str) -> list[str]:
    """种植、收获机械化率 → [种植机械化率, 收获机械化率] (a shared measure head)."""
    parts = [p for p in _PART_SPLIT.split(indicator) if p]
    if len(parts) < 2:
        return parts
    last = parts[-1]
    if _MEASURE_SUFFIX.search(last) and not any(_MEASURE_SUFFIX.search(p) for p in parts[:-1]) and len(last) > 3:
        head = last[2:]
        parts = [p + head for p in parts[:-1]] + [last]
    return parts


def _is_heading_sentence(sentence: Sentence) -> bool:
    return bool(_INLINE_HEADING.match(sentence.text))


class _SentenceScanner:
    def __init__(self, pub: Publication, context: _Context, region: str | None = None, issuer: str | None = None):
        self.pub = pub
        self.context = context
        self.region = region
        self.issuer = issuer
        self.plan_document = False  # the document sets policy (方案, 规划, 意见…): 每年… is a standing goal

    def clause_year(self, clause: str, sentence_future: bool, at_sentence_start: bool) -> tuple[str, int | None]:
        """('deadline', year) | ('reported', None) | ('none', None) for the years a clause mentions."""
        state, year = "none", None
        for match in _YEAR.finditer(clause):
            before = clause[: match.start()]
            if _BASELINE_PREFIX.search(before) or _BASELINE_SUFFIX.match(clause, match.end()):
                continue
            value = int(match.group(1))
            cutoff = _CUTOFF_PREFIX.search(before)
            if cutoff and (self.pub.date is None or value <= self.pub.date.year):
                state = "reported"  # 截至2021年底: a stock figure, not a goal
            elif _DEADLINE_PREFIX.search(before) and _YEAR.search(before):
                state = "reported"  # 2019年165家到2020年252家: a series of past values
            elif _DEADLINE_PREFIX.search(before) or _DEADLINE_SUFFIX.match(clause, match.end()):
                state, year = "deadline", value
            elif _SINCE_SUFFIX.match(clause, match.end()):
                state = "reported" if state != "deadline" else state
            elif (
                sentence_future
                and (at_sentence_start or not before.strip())
                and (self.pub.date is None or value >= self.pub.date.year)
            ) or (self.pub.date is not None and value > self.pub.date.year and not before.strip()):
                state, year = "deadline", value  # 2030年X达到…: a year still ahead can only be a goal's
            elif state != "deadline":
                state = "reported"
        if state != "deadline":
            period = _PLAN_PERIOD.search(clause)
            if period:
                state, year = "deadline", _plan_period_year(period)
            elif self.pub.date and (this_year := _THIS_YEAR.search(clause)):
                # 全年新增… after a past year reports that year; 全年 sets a goal only in a plan
                planned = sentence_future or self.context.goal_section or self.context.list_open
                if this_year.group() != "全年" or planned:
                    state, year = "deadline", self.pub.date.year
        return state, year

    def scan(self, sentence: Sentence, evidence: str) -> list[TargetMention]:
        text = sentence.text
        if _FORECAST.search(text):
            return []
        sentence_future = bool(_FUTURE.search(text))
        explicit_future = bool(_STRONG_FUTURE.search(text) or re.search(r"到\s*(?:19|20)\d{2}|十[一二三四五六七]五", text))
        found: list[TargetMention] = []
        previous_indicator = ""
        year = self.context.year
        year_live = True  # turned off for the rest of a sentence that reports a past year
        sentence_place: str | None = None
        every_year_lead: str | None = None  # a clause with 每年 and no figure: the activity a total counts
        for index, clause_match in enumerate(_CLAUSE.finditer(text)):
            clause = clause_match.group()
            place = clause_place(clause) if _PLACE_HINT.search(clause) else None
            if index == 0:
                sentence_place = place
            state, clause_year = self.clause_year(clause, sentence_future, index == 0)
            if state == "deadline":
                year, year_live = clause_year, True
                self.context.year = clause_year
            elif state == "reported":
                year_live = False
                continue
            planned = explicit_future or self.context.goal_section or self.context.list_open
            if _REPORTED.search(clause) or (_WEAK_REPORTED.search(clause) and not planned):
                continue
            # 每年储备1000家以上: a standing goal, with no deadline of its own.
            follows_lead = bool(every_year_lead and _TOTAL_WORD.search(clause))
            every_year_lead = None if not follows_lead else every_year_lead
            standing = bool(_EVERY_YEAR.search(clause) or follows_lead) and bool(
                _STRONG_FUTURE.search(text) or (year is not None and year_live) or self.plan_document
            )
            if (year is None or not year_live) and not standing:
                continue
            baseline = _BASELINE.search(clause)
            region = place or sentence_place or self.region
            items = self.clause_items(clause, previous_indicator)
            if not items and _EVERY_YEAR.search(clause):
                every_year_lead = clause  # 每年为…家庭实施适老化改造,全省改造总量不少于2万户
            for item in items:
                indicator, value, unit, comparator = item
                if follows_lead and _GENERIC_MEASURE.match(indicator):
                    indicator = _strip_indicator(every_year_lead)[0][-_MAX_INDICATOR:] or indicator
                previous_indicator = indicator
                found.append(
                    TargetMention(
                        indicator=indicator, value=value, unit=unit, comparator=comparator,
                        target_year=None if standing else year,
                        baseline_year=int(baseline.group(1) or baseline.group(2)) if baseline else None,
                        evidence=evidence, evidence_start=sentence.start, evidence_end=sentence.end,
                        region=region, issuer=self.issuer,
                    )
                )  # fmt: skip
        return found

    def clause_items(self, clause: str, previous_indicator: str) -> list[tuple[str, float, str, str]]:
        quantities = find_quantities(clause)
        # 培育年产值超10亿元的茶叶龙头企业20家: the first figure qualifies the counted noun
        quantities = [
            q for i, q in enumerate(quantities) if not (clause.startswith("的", q.end) and i + 1 < len(quantities))
        ]
        items: list[tuple[str, float, str, str]] = []
        segment_start = 0
        index = 0
        while index < len(quantities):
            quantity = quantities[index]
            pre_raw = clause[segment_start : quantity.start]
            group = [quantity]
            if "分别" in pre_raw:  # A、B分别达到65%和55%
                while index + len(group) < len(quantities):
                    following = quantities[index + len(group)]
                    if clause[group[-1].end : following.start].strip(" 和、及与") != "":
                        break
                    group.append(following)
            next_start = quantities[index + len(group)].start if index + len(group) < len(quantities) else len(clause)
            indicator, verb_final = _strip_indicator(pre_raw)
            consumed_end = group[-1].end
            if (verb_final or not indicator) and len(group) == 1:
                noun, consumed = _post_noun(clause[quantity.end : next_start])
                if noun:
                    indicator = (indicator + noun) if verb_final else noun
                    consumed_end = quantity.end + consumed
            if _GROWTH_ONLY.match(indicator) and previous_indicator:
                indicator = _GROWTH_TAIL.sub("", previous_indicator) + indicator
            elif len(indicator) < 2 and previous_indicator and not pre_raw.strip(" 、和及与累计达到总数共"):
                indicator = previous_indicator  # 新建5G基站3000个以上、累计达到2.5万个: the same indicator
            if len(indicator) > _MAX_INDICATOR:
                indicator = indicator[-_MAX_INDICATOR:]
            if len(indicator) >= 2:
                items.extend(self._rows(indicator, pre_raw, group))
                previous_indicator = indicator
            index += len(group)
            segment_start = consumed_end
        return items

    @staticmethod
    def _rows(indicator: str, pre_raw: str, group: list[Quantity]) -> list[tuple[str, float, str, str]]:
        parts = [indicator]
        if len(group) > 1 or re.search(r"[均都]", pre_raw[-6:]):
            split = _split_parts(indicator)
            if len(group) == 1 or len(split) == len(group):
                parts = split
        rows = []
        if len(group) > 1:
            for part, quantity in zip(parts * (len(group) if len(parts) == 1 else 1), group, strict=False):
                rows.extend((part, value, quantity.unit, quantity.comparator) for value in quantity.values)
            return rows
        quantity = group[0]
        for part in parts:
            rows.extend((part, value, quantity.unit, quantity.comparator) for value in quantity.values)
        return rows


def _doubling_rows(
    sentence: Sentence, year: int | None, evidence: str, region: str | None, issuer: str | None
) -> list[TargetMention]:
    """翻一番 / 翻两番: a relative target of 2× / 4× the baseline."""
    rows = []
    for match in DOUBLING.finditer(sentence.text):
        before = sentence.text[: match.start()]
        clause_start = max(before.rfind(","), before.rfind(":")) + 1
        pre = before[clause_start:]
        baseline = _BASELINE.search(pre)
        indicator, _ = _strip_indicator(re.sub(r"^(?:提前)?实现", "", pre.strip()))
        indicator = re.sub(r"^(?:提前)?实现", "", indicator)
        if len(indicator) < 2:
            continue
        rows.append(
            TargetMention(
                indicator=indicator, value=DOUBLING_VALUE[match.group("times")], unit="倍",
                comparator=DOUBLING_COMPARATOR[match.group("suffix")],
                target_year=year, baseline_year=int(baseline.group(1) or baseline.group(2)) if baseline else None,
                evidence=evidence, evidence_start=sentence.start, evidence_end=sentence.end,
                region=(clause_place(pre) if _PLACE_HINT.search(pre) else None) or region, issuer=issuer,
            )
        )  # fmt: skip
    return rows


_PLAN_TITLE = re.compile(r"方案|规划|计划|意见|纲要|措施|办法|决定|政府工作报告|行动")
_SECTION_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?")
_PLAN_SECTION = re.compile(r"目标|任务|重点工作|工作安排|工作计划|主要工作|工作重点")
_PAST_SECTION = re.compile(r"回顾|基础|成就|成效|进展|完成情况|总结|现状")


def _section_plan_year(heading: str, pub: Publication) -> int | None:
    """The year a section heading plans for (2024年重点工作), or None (2023年工作回顾, 发展基础)."""
    match = _SECTION_YEAR.search(heading)
    if not match or _PAST_SECTION.search(heading) or _BASELINE_PREFIX.search(heading[: match.start()]):
        return None
    year = int(match.group(1))
    if _PLAN_SECTION.search(heading) and (pub.date is None or year >= pub.date.year):
        return year
    return None


def extract_targets(
    clean_text: str, paragraphs: list[Paragraph], pub: Publication, region: str | None = None, issuer: str | None = None
) -> list[TargetMention]:
    context = _Context()
    scanner = _SentenceScanner(pub, context, region, issuer)
    scanner.plan_document = bool(_PLAN_TITLE.search(clean_text[:300]))
    targets: list[TargetMention] = []
    for paragraph in paragraphs:
        if paragraph.is_heading and not find_quantities(paragraph.text):
            context.goal_section = "目标" in paragraph.text
            state, year = scanner.clause_year(paragraph.text, False, True)
            context.year = year if state == "deadline" else None  # 到2025年主要目标
            context.list_open = False
            plan_year = _section_plan_year(paragraph.text, pub)
            if plan_year is not None:  # 三、2024年重点工作: a plan for that year
                context.year, context.goal_section = plan_year, True
            context.section_goal = context.goal_section
            context.in_items = False
            continue
        starts_bullet = bool(_BULLET.match(paragraph.text))
        if not (context.goal_section or (context.list_open and starts_bullet)):
            context.year = None
        for sentence in paragraph.sentences:
            if _is_heading_sentence(sentence):
                # (四)持续改善民生。: a sub-item of a goals section — back to the year that governed the
                # list of sub-items (到2027年…具体目标如下:), not one a sibling item's body named
                if not context.in_items:
                    context.in_items, context.list_year = True, context.year
                keep = context.goal_section or context.section_goal
                context.goal_section = "目标" in sentence.text or keep
                context.year = context.list_year if keep else None
                continue
            evidence = clean_text[sentence.start : sentence.end]
            targets.extend(scanner.scan(sentence, evidence))
            if "翻" in sentence.text and context.year is not None:
                targets.extend(_doubling_rows(sentence, context.year, evidence, region, issuer))
        ending = paragraph.text.rstrip()
        introduces_list = ending.endswith(("—", ":")) and context.year is not None
        context.list_open = introduces_list or (context.list_open and starts_bullet)
    return _dedupe(targets)


def _dedupe(targets: list[TargetMention]) -> list[TargetMention]:
    """The same goal repeated (headline and body) is one row."""
    seen = set()
    unique = []
    for target in targets:
        key = (target.indicator, target.value, target.unit, target.comparator, target.target_year)
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return unique
