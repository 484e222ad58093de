"""Infer a document's main region from the places it names.

A first, deliberately small gazetteer: the provinces and Fujian's cities and
Quanzhou's counties, which is where the corpus starts. The warehouse's region
dimension (province → city → county with official codes) supersedes it.
"""

from __future__ import annotations

import re
from collections import Counter

PROVINCES = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门"]
FUJIAN_CITIES = ["福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德"]
QUANZHOU_COUNTIES = ["鲤城", "丰泽", "洛江", "泉港", "石狮", "晋江", "南安", "惠安", "安溪", "永春", "德化", "金门"]

# Longer names first so that 泉州 inside 泉州市 is one mention, not two.
_NAMES = sorted(set(PROVINCES + FUJIAN_CITIES + QUANZHOU_COUNTIES), key=len, reverse=True)
_PATTERN = re.compile("|".join(map(re.escape, _NAMES)))
_LEVEL = {name: 0 for name in PROVINCES} | {name: 1 for name in FUJIAN_CITIES} | {
    name: 2 for name in QUANZHOU_COUNTIES
}


def infer_region(text: str, head_weight: int = 3, head_chars: int = 300) -> str | None:
    """The most often named place; mentions near the top (title, lead) count more.

    Ties go to the more local place: a county story names its city and province too.
    """
    counts: Counter[str] = Counter(_PATTERN.findall(text))
    for name in _PATTERN.findall(text[:head_chars]):
        counts[name] += head_weight - 1
    if not counts:
        return None
    return max(counts, key=lambda name: (counts[name], _LEVEL[name]))
