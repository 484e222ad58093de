"""Date expressions in Chinese text and their resolution against a publication date."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = r"(?:[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_MONTH = rf"(?:\d{{1,2}}|{_CN_SMALL})"
_DAY = rf"(?:\d{{1,2}}|{_CN_SMALL})"

DATE = re.compile(
    # 2014年11月, 2022年1月1日, 二〇一六年六月十二日, 2024年度
    rf"(?P<y>(?:19|20)\d{{2}}|[〇零一二][〇零一二三四五六七八九]{{3}})\s*年(?:度)?"
    rf"(?:\s*(?P<m>{_MONTH})\s*月(?:\s*(?P<d>{_DAY})\s*[日号])?)?"
    # 2016-06-12, 2016.06, 2016/6/12
    r"|(?<![\d.])(?P<iy>(?:19|20)\d{2})[-./](?P<im>\d{1,2})(?:[-./](?P<id>\d{1,2}))?(?![\d.])"
    # 去年9月, 今年3月5日
    rf"|(?P<ry>去年|今年|上年|前年|明年)(?:(?P<rm>{_MONTH})月(?:(?P<rd>{_DAY})[日号])?|(?P<rpart>初|底|年初|年底|以来)?)"
    # 本月8日, 上月28日
    rf"|(?P<relm>本月|上月)(?P<relmd>{_DAY})[日号]"
    # 3月5日 (year from the publication date)
    rf"|(?<![年\d])(?P<bm>{_MONTH})月(?P<bd>{_DAY})[日号]"
    # 12日 (month from the publication date)
    rf"|(?<![月\d一二三四五六七八九十])(?P<bday>\d{{1,2}}|{_CN_SMALL})[日号](?![报])"
    # 3月 at the head of a clause or a chronicle line (3月 龙岩市入选…, 5月中旬,…): a month of the past
    rf"|(?<![年\d月—\-~至到和、])(?P<bmonth>{_MONTH})月(?:份)?(?:初|中旬|上旬|下旬|中|底|末)?(?=[\s,])"
    # 次日 / 月中: the day after, or the month of, the event just reported
    r"|(?P<next>次日|翌日|第二天|隔天)"
    r"|(?<![\d月一二三四五六七八九十年每])(?P<inmonth>月初|月中|月底|月末|上旬|中旬|下旬)(?![\d一二三四五六七八九十])"
    r"|(?P<rel>昨日|昨天|前天|前日|今天|今日|本月|上月|上周|本周|近日|日前|近期|当天|当日|同日|同一天"
    r"|(?<![\d今去明上前本当同这])年初|这一年|同年)"
)
# A year governed by these is a deadline or a cut-off, not the date of an event.
DEADLINE_BEFORE = re.compile(r"(?:到|至|截至|截止|截止到|力争到|争取到)\s*$")
DEADLINE_AFTER = re.compile(r"\s*(?:前|以前|之前|底前|年底前|末)")

_RANGE_JOIN = re.compile(r"\s*(?:至|到|—|-|~)\s*")
_RELATIVE_YEAR = {"去年": -1, "上年": -1, "前年": -2, "今年": 0, "明年": 1}
_RELATIVE_DAY = {"昨日": -1, "昨天": -1, "前天": -2, "前日": -2, "今天": 0, "今日": 0}


def cn_small_number(token: str) -> int:
    """'12' → 12, '十二' → 12, '二十' → 20, '三十一' → 31; also 〇-digit runs (二〇一六 → 2016)."""
    if token.isdigit():
        return int(token)
    if "十" not in token:
        return int("".join(str(_CN_DIGITS[ch]) for ch in token))
    tens, _, ones = token.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def is_valid(self) -> bool:
        if not 1900 <= self.year <= 2100 or (self.month is not None and not 1 <= self.month <= 12):
            return False
        if self.day is not None:
            return self.month is not None and 1 <= self.day <= calendar.monthrange(self.year, self.month)[1]
        return True


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: PartialDate | None  # None when relative and nothing to resolve against
    explicit: bool  # the text fixes the year itself (not resolved from the publication date)
    deadline: bool  # 到2025年 / 2025年前: a deadline, not an event date
    anaphoric: bool = False  # 当天/当日/同日: the date of the event just mentioned
    same_year: bool = False  # 这一年/同年: the year the text last named
    distinct: bool = False  # 同日/同一天: another event on the day just mentioned
    next_day: bool = False  # 次日/翌日: the day after the event just mentioned
    same_month: bool = False  # 月中/下旬: within the month of the event just mentioned


class Publication:
    """The publication date as far as it is known (day or month precision, or nothing)."""

    def __init__(self, date: dt.date | None, precision: str | None):
        self.date = date
        self.precision = (precision or "day") if date else None

    def shift_days(self, days: int) -> PartialDate | None:
        if not self.date:
            return None
        if self.precision != "day":
            return PartialDate(self.date.year, self.date.month)  # only the month is known
        shifted = self.date + dt.timedelta(days=days)
        return PartialDate(shifted.year, shifted.month, shifted.day)

    def at_precision(self) -> PartialDate | None:
        return self.shift_days(0)


def _month_day(pub: Publication, month: int, day: int | None, ahead: bool = False) -> PartialDate | None:
    """3月5日 without a year: the latest such day up to the publication date.

    News reports what has happened, so a day later than the publication is last
    year's (a January chronicle of 2月16日, 12月28日…), unless the text looks
    ahead (3月1日起施行).
    """
    if not pub.date:
        return None
    year = pub.date.year
    later = (month, day or 1) > (pub.date.month, pub.date.day + 1 if pub.precision == "day" else 31)
    if month > pub.date.month + 6 or (later and not ahead):
        year -= 1
    return PartialDate(year, month, day)


def _bare_day(pub: Publication, day: int) -> PartialDate | None:
    if not pub.date:
        return None
    if pub.precision != "day":
        return PartialDate(pub.date.year, pub.date.month)
    year, month = pub.date.year, pub.date.month
    if day > pub.date.day + 1:  # 28日 in an article of the 5th: last month
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return PartialDate(year, month, day)


def resolve(match: re.Match[str], pub: Publication) -> tuple[PartialDate | None, bool, bool]:
    """The date a DATE match denotes: (date, explicit, anaphoric)."""
    group = match.group
    if group("y"):
        year = cn_small_number(group("y"))
        month = cn_small_number(group("m")) if group("m") else None
        day = cn_small_number(group("d")) if group("d") else None
        return PartialDate(year, month, day), True, False
    if group("iy"):
        day = int(group("id")) if group("id") else None
        return PartialDate(int(group("iy")), int(group("im")), day), True, False
    if group("ry"):
        if not pub.date:
            return None, False, False
        year = pub.date.year + _RELATIVE_YEAR[group("ry")]
        if group("rm"):
            day = cn_small_number(group("rd")) if group("rd") else None
            return PartialDate(year, cn_small_number(group("rm")), day), False, False
        return PartialDate(year), False, False
    if group("relm"):
        if not pub.date:
            return None, False, False
        year, month = pub.date.year, pub.date.month - (group("relm") == "上月")
        if month == 0:
            year, month = year - 1, 12
        return PartialDate(year, month, cn_small_number(group("relmd"))), False, False
    if group("bm"):
        return _month_day(pub, cn_small_number(group("bm")), cn_small_number(group("bd"))), False, False
    if group("bday"):
        return _bare_day(pub, cn_small_number(group("bday"))), False, False
    if group("bmonth"):
        return _month_day(pub, cn_small_number(group("bmonth")), None), False, False
    if group("next") or group("inmonth"):
        return None, False, True
    word = group("rel")
    if word in ("当天", "当日", "同日", "同一天", "这一年", "同年"):
        return None, False, True
    if word == "年初":
        return (PartialDate(pub.date.year) if pub.date else None), False, False
    if word in ("上周", "本周"):
        if not pub.date:
            return None, False, False
        first, last = (pub.date - dt.timedelta(days=13), pub.date - dt.timedelta(days=1)) if word == "上周" else (
            pub.date - dt.timedelta(days=6), pub.date)
        if (first.year, first.month) == (last.year, last.month):
            return PartialDate(last.year, last.month), False, False
        return (PartialDate(last.year) if first.year == last.year else None), False, False
    if word in _RELATIVE_DAY:
        return pub.shift_days(_RELATIVE_DAY[word]), False, False
    if word in ("本月", "上月") and pub.date:
        year, month = pub.date.year, pub.date.month - (word == "上月")
        return (PartialDate(year - 1, 12) if month == 0 else PartialDate(year, month)), False, False
    return pub.at_precision(), False, False  # 近日/日前/近期: about the publication date


def find_dates(text: str, pub: Publication) -> list[DateMention]:
    """Every date expression in ``text`` with its resolved date (or None)."""
    mentions = []
    for match in DATE.finditer(text):
        date, explicit, anaphoric = resolve(match, pub)
        if match.group("bm") and date is not None and text.startswith("起", match.end()):
            date = _month_day(pub, date.month, date.day, ahead=True)  # 3月1日起施行: may lie ahead
        if date is not None and not date.is_valid():
            continue
        deadline = bool(
            explicit
            and (DEADLINE_BEFORE.search(text, max(0, match.start() - 4), match.start())
                 or DEADLINE_AFTER.match(text, match.end()))
        ) or match.group().endswith("以来") or text.startswith("以来", match.end())  # 今年以来: a span, not a day
        if match.group("bday") and mentions and _RANGE_JOIN.fullmatch(text, mentions[-1].end, match.start()):
            continue  # 18日至20日: the span ends there, the event dates from its first day
        word = match.group("rel")
        mentions.append(DateMention(
            match.start(), match.end(), date, explicit, deadline, anaphoric,
            same_year=word in ("这一年", "同年"), distinct=word in ("同日", "同一天"),
            next_day=bool(match.group("next")), same_month=bool(match.group("inmonth")),
        ))  # fmt: skip
    return mentions
