"""Quantities as written in Chinese policy text: numbers, magnitudes, units, comparators."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
# A Chinese numeral must start with a digit word: 万/亿/千/百 alone are
# magnitudes (每万人口, 千亿产业集群), kept with the unit as written.
_CHINESE = r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*(?:点[零〇一二三四五六七八九]+)?"
_NUMBER = rf"(?:{_ARABIC}|{_CHINESE})"
_MAGNITUDE = r"(?:万亿|千亿|百亿|亿|千万|百万|万|千|百)"
# Longer units first so 个百分点 wins over 个, 人次 over 人, 平方公里 over 公里.
_BASE_UNITS = (
    "个百分点", "个工作日", "标准箱", "吨标准煤", "平方公里", "平方米", "立方米", "千瓦时", "千瓦", "公顷", "公里", "千米",
    "千克", "美元", "元", "人次", "家次", "架次", "辆次", "车次", "班次", "艘次", "人", "名", "位", "家", "个", "项", "条",
    "件", "所", "座", "处", "台", "套", "辆", "艘", "架", "吨", "标箱", "兆瓦", "场次", "亩", "米", "瓦", "户", "场", "部", "篇",
    "种", "款",
    "只", "头", "株", "批次", "张", "床", "间", "倍", "%", "‰",
)  # fmt: skip
_UNIT = rf"(?:{_MAGNITUDE}?(?:{'|'.join(map(re.escape, _BASE_UNITS))})(?:/(?:人|年|亩|户|月|天|吨|平方米))*)"
_RANGE_SEP = r"(?:—|-|~|至|到)"

QUANTITY = re.compile(
    rf"(?<![\d.A-Za-z第“\"《「])"
    rf"(?:百分之(?P<pct>{_NUMBER})"
    rf"|(?P<n1>{_NUMBER})(?:%?{_RANGE_SEP}(?P<n2>{_NUMBER}))?(?P<approx>余|多)?(?P<unit>{_UNIT}))"
    r"(?P<suffix>及以上|以上|以下|以内|左右)?"
)
DOUBLING = re.compile(r"翻(?P<times>一|两|二|三)?番(?P<suffix>以上|多|左右)?")
DOUBLING_COMPARATOR = {None: "=", "以上": ">=", "多": ">", "左右": "~"}
DOUBLING_VALUE = {None: 2.0, "一": 2.0, "两": 4.0, "二": 4.0, "三": 8.0}

_PREFIX_COMPARATOR = re.compile(
    r"(不超过|不高于|不多于|最多|控制在|低于|少于|小于|不少于|不低于|不小于|至少|超过|超出|超|突破|高于|大于|多于"
    r"|大约|约|接近|将近|近)[\u4e00-\u9fff]{0,2}$"
)
_PREFIX_MAP = {
    "不超过": "<=", "不高于": "<=", "不多于": "<=", "最多": "<=", "控制在": "<=",
    "低于": "<", "少于": "<", "小于": "<",
    "不少于": ">=", "不低于": ">=", "不小于": ">=", "至少": ">=",
    "超过": ">", "超出": ">", "超": ">", "突破": ">", "高于": ">", "大于": ">", "多于": ">",
    "大约": "~", "约": "~", "接近": "~", "将近": "~", "近": "~",
}  # fmt: skip
_SUFFIX_MAP = {"以上": ">=", "及以上": ">=", "以下": "<=", "以内": "<=", "左右": "~"}


@dataclass(frozen=True)
class Quantity:
    start: int  # offsets relative to the string searched
    end: int
    values: tuple[float, ...]  # two values for a range
    unit: str
    comparator: str
    prefix_comparator_start: int | None  # where a 超/至少… before the number begins


@lru_cache(maxsize=4096)
def parse_number(token: str) -> float:
    """'3,500' → 3500.0, '一百二十' → 120.0, '两' → 2.0, '二点五' → 2.5."""
    if token[0].isdigit():
        return float(token.replace(",", ""))
    return float(cn2an.cn2an(token.replace("两", "二"), "smart"))


def comparator_for(prefix_text: str, suffix: str | None, approx: str | None) -> tuple[str, int | None]:
    """Comparator from words around the number; returns it and where a prefix word starts."""
    if suffix:
        return _SUFFIX_MAP[suffix], None
    match = _PREFIX_COMPARATOR.search(prefix_text[-6:])
    if match:
        return _PREFIX_MAP[match.group(1)], len(prefix_text) - len(prefix_text[-6:]) + match.start()
    if approx:
        return ">", None  # 100余家, 300多项: more than the round figure
    return "=", None


def find_quantities(text: str) -> list[Quantity]:
    """Every number-with-unit in ``text`` (a clause or sentence)."""
    found = []
    for match in QUANTITY.finditer(text):
        try:
            if match.group("pct"):
                values: tuple[float, ...] = (parse_number(match.group("pct")),)
                unit = "%"
            else:
                values = (parse_number(match.group("n1")),)
                if match.group("n2"):
                    values = (values[0], parse_number(match.group("n2")))
                unit = match.group("unit")
        except ValueError:  # a run of numeral characters that is not a number (一二)
            continue
        if match.group("unit") and match.group("unit").endswith("位") and text.startswith("数", match.end("unit")):
            continue  # 两位数增长: digits, not people
        if len(values) == 2:
            comparator, prefix_start = "range", None
        else:
            comparator, prefix_start = comparator_for(
                text[: match.start()], match.group("suffix"), match.groupdict().get("approx")
            )
        found.append(Quantity(match.start(), match.end(), values, unit, comparator, prefix_start))
    return found
