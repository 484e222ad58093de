"""Synthetic Chinese policy documents with known answers, for benchmarks and extra test data.

``generate_corpus(out_dir, n_documents, seed)`` writes ``n_documents`` files into
``out_dir`` and a gold file ``<out_dir>.gold.json`` beside the folder, in the
``policy-gold/1`` format of ``corpus/GOLD_FORMAT.md`` (with the ``reported``
extension list that ``ingest.evaluate`` scores).

Every document is an *article* (a plan notice, a news report, a work report, a
notice in plain text) built from sentence templates over a vocabulary of real
indicator names, Fujian regions and organisations, and knows its own answers:
targets under deadline clauses (到2025年…, lists with one verb, 分别…和…,
comparators, ranges, 今年/全年 goals, standing 每年 goals), reported figures
(2023年…完成…，同比增长…) and events with absolute and relative dates (昨日,
12日, 去年9月) resolved against the publication date.  The article is then
wrapped in one of several page shells copied from real sites:

- ``gov``:  a gov.cn policy page (PubDate meta, metadata table, navigation);
- ``news``: a county news page (navigation, inline scripts, sidebar, footer);
- ``md``:   Markdown with YAML front matter;
- ``txt``:  plain text with a 发布时间 line and site chrome.

HTML and text come in UTF-8 or GBK (``gbk_share``, declared in the page's
meta charset).  A share of files are exact *duplicates* (same bytes under
another name, gold ``duplicate_of``) and about as many are *reposts* (the same
article in another shell: another content hash, the same answers, gold
``repost_of``).

Generation is deterministic for a seed (each document's random stream is
seeded from ``(seed, index)``), streams (only a small ring of recent articles
is kept for duplicates and reposts) and writes several thousand documents per
second.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

GOLD_FORMAT = "policy-gold/1"
REPOST_SHARE = 0.02
_RING = 64  # recent articles kept for duplicates and reposts

# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Region:
    name: str  # 泉州
    full: str  # 泉州市
    level: str  # 省 | 市 | 县
    abbr: str  # 泉 (发文字号)
    whole: str  # 全市 / 全省 / 全县


def _regions() -> list[Region]:
    cities = [
        ("福州", "榕"), ("厦门", "厦"), ("泉州", "泉"), ("漳州", "漳"), ("莆田", "莆"),
        ("三明", "明"), ("南平", "南"), ("龙岩", "龙"), ("宁德", "宁"),
    ]  # fmt: skip
    county_cities = [
        "晋江",
        "石狮",
        "南安",
        "福清",
        "永安",
        "武夷山",
        "建瓯",
        "漳平",
        "福鼎",
        "福安",
    ]
    counties = [
        "安溪", "惠安", "永春", "德化", "平和", "长泰", "诏安", "云霄", "东山", "仙游", "连江", "闽侯",
        "罗源", "闽清", "永泰", "上杭", "长汀", "连城", "武平", "霞浦", "古田", "屏南", "尤溪", "沙县",
        "将乐", "泰宁", "建宁", "浦城", "光泽", "松溪", "政和", "顺昌",
    ]  # fmt: skip
    regions = [Region("福建", "福建省", "省", "闽", "全省")]
    regions += [Region(n, n + "市", "市", a, "全市") for n, a in cities]
    regions += [Region(n, n + "市", "县", n[0], "全市") for n in county_cities]
    regions += [Region(n, n + "县", "县", n[0], "全县") for n in counties]
    return regions


REGIONS = _regions()

# (indicator, unit, low, high, decimals).  Levels: the value follows the indicator.
LEVEL_INDICATORS = [
    ("地区生产总值", "亿元", 300, 12000, 0), ("全社会研发经费投入", "亿元", 20, 500, 0),
    ("研发投入强度", "%", 1.5, 3.8, 1), ("数字经济规模", "亿元", 200, 8000, 0),
    ("数字经济核心产业增加值占地区生产总值比重", "%", 8, 15, 0), ("常住人口城镇化率", "%", 60, 78, 1),
    ("森林覆盖率", "%", 55, 70, 1), ("城市生活污水集中收集率", "%", 70, 95, 0),
    ("社会消费品零售总额", "亿元", 200, 6000, 0), ("外贸进出口总额", "亿元", 100, 9000, 0),
    ("实际利用外资", "亿美元", 2, 60, 1), ("港口货物吞吐量", "万吨", 1000, 30000, 0),
    ("集装箱吞吐量", "万标箱", 50, 1500, 0), ("技术合同成交额", "亿元", 10, 300, 0),
    ("新能源汽车产量", "万辆", 2, 60, 0), ("5G基站总数", "万个", 1, 12, 1),
    ("千兆宽带用户数", "万户", 20, 600, 0), ("旅游总收入", "亿元", 100, 2500, 0),
    ("接待游客", "万人次", 500, 9000, 0), ("茶产业全产业链产值", "亿元", 100, 2200, 0),
    ("规模以上工业总产值", "亿元", 500, 30000, 0), ("战略性新兴产业增加值占规上工业比重", "%", 20, 40, 0),
    ("农村居民人均可支配收入", "元", 18000, 35000, 0), ("一般公共预算收入", "亿元", 20, 900, 1),
    ("高标准农田面积", "万亩", 20, 600, 0), ("公共充电桩", "万个", 1, 20, 1),
    ("城市公共交通出行分担率", "%", 30, 60, 0), ("普惠性幼儿园覆盖率", "%", 85, 95, 0),
    ("农村自来水普及率", "%", 90, 99, 0), ("清洁能源船舶保有量", "艘", 100, 3000, 0),
    ("毛茶产量", "万吨", 5, 60, 1), ("海洋生产总值", "亿元", 300, 4000, 0),
    ("光伏装机容量", "万千瓦时", 10, 800, 0), ("数字化研发设计工具普及率", "%", 70, 92, 0),
]  # fmt: skip
# Growth rates: 规上工业增加值年均增长7%左右.
GROWTH_INDICATORS = [
    "地区生产总值年均增长", "规模以上工业增加值年均增长", "固定资产投资年均增长", "社会消费品零售总额年均增长",
    "一般公共预算收入年均增长", "外贸进出口总额年均增长", "全社会研发经费投入年均增长", "数字经济规模年均增长",
]  # fmt: skip
# Counted things: 培育高新技术企业500家 / 建设30个示范性数字化车间.
COUNT_INDICATORS = [
    ("高新技术企业", "家", 100, 3000), ("国家级专精特新“小巨人”企业", "家", 5, 80),
    ("省级以上企业技术中心", "家", 20, 300), ("示范性数字化车间", "个", 10, 200),
    ("智能工厂", "家", 5, 60), ("省级重点实验室", "个", 3, 30), ("工业互联网平台", "个", 5, 50),
    ("新型研发机构", "家", 10, 80), ("上市公司", "家", 5, 60), ("农村电商服务站", "个", 100, 2000),
    ("省级生态茶园示范基地", "个", 20, 200), ("普惠性托育机构", "所", 20, 300),
    ("乡村振兴示范村", "个", 20, 300), ("省级现代农业产业园", "个", 3, 30), ("数字乡村试点", "个", 5, 50),
    ("星级旅游饭店", "家", 10, 120), ("科技型中小企业", "家", 300, 5000), ("重点产业链", "条", 5, 20),
    ("产业研究院", "家", 3, 30), ("特色小镇", "个", 3, 25), ("省级文化和旅游消费示范点", "个", 3, 30),
    ("城市书房", "个", 20, 200), ("老旧小区改造项目", "个", 50, 800), ("充电站", "座", 50, 900),
]  # fmt: skip
COUNT_VERBS = ["培育", "新增", "建设", "新建", "引进", "创建", "打造", "认定"]
# Paired measures: 城镇、农村居民人均可支配收入分别达到… (prefix, part a, part b, suffix, unit, low, high).
PAIRS = [
    ("", "城镇", "农村", "居民人均可支配收入", "元", 25000, 80000),
    ("花生", "种植", "收获", "机械化率", "%", 40, 85),
    ("水稻", "耕种", "收获", "机械化率", "%", 60, 95),
    ("城市", "生活垃圾回收利用", "生活污水处理", "率", "%", 60, 98),
    ("", "国家级", "省级", "科技企业孵化器", "家", 3, 40),
]  # fmt: skip

ORGANISATIONS = ["华为技术有限公司", "宁德时代新能源科技股份有限公司", "中国电信福建公司", "国家电网福建省电力有限公司",
                 "厦门大学", "福州大学", "中国移动福建公司", "兴业银行", "安踏体育用品集团", "紫金矿业集团"]  # fmt: skip
CONFERENCE_TOPICS = ["科技创新", "数字经济", "民营经济高质量发展", "海洋经济发展", "文旅经济发展", "乡村振兴",
                     "先进制造业", "人才工作", "知识产权保护", "生态文明建设"]  # fmt: skip
MEETING_TOPICS = ["安全生产", "优化营商环境", "乡村振兴", "生态环境保护", "防汛防台风", "项目建设",
                  "民生实事", "文明城市创建", "河湖长制", "耕地保护"]  # fmt: skip
SELECTION_LISTS = ["全国科技强县", "国家全域旅游示范区", "全国数字乡村试点", "国家知识产权强县建设示范县",
                   "全国文明城市", "国家生态文明建设示范区", "全国县域商业体系建设示范县", "国家农业现代化示范区"]  # fmt: skip
PARKS = ["半导体产业园", "智能制造产业园", "市民服务中心二期", "数字经济产业园", "人才公寓", "科创走廊展示中心",
         "新能源产业园", "跨境电商产业园", "文化艺术中心", "综合物流园"]  # fmt: skip
FUNDS = [
    "科技创新基金",
    "产业引导基金",
    "乡村振兴基金",
    "人才发展基金",
    "数字经济产业基金",
]
VENUES = [
    "市行政中心",
    "市民服务中心",
    "人民会堂",
    "县行政服务中心",
    "国际会展中心",
    "海峡会展中心",
    "县文化艺术中心",
]
OFFICIALS = [
    "省委书记",
    "省长",
    "市委书记",
    "市长",
    "省委常委、副省长",
    "省人大常委会主任",
]
PLAN_TOPICS = [
    ("数字经济", "数字经济高质量发展行动方案"), ("科技创新", "科技创新能力提升行动方案"),
    ("制造业", "先进制造业强市建设实施方案"), ("茶产业", "茶产业高质量发展行动方案"),
    ("海洋经济", "海洋经济高质量发展实施方案"), ("文旅", "文旅经济高质量发展行动计划"),
    ("乡村振兴", "全面推进乡村振兴实施方案"), ("新能源", "新能源产业创新发展三年行动计划"),
    ("生态环境", "生态环境保护行动计划"), ("营商环境", "营商环境优化提升行动方案"),
]  # fmt: skip
# Sentences with no figure, no date and no event trigger: what fills real plans and news.
FILLER = [
    "坚持以习近平新时代中国特色社会主义思想为指导，完整、准确、全面贯彻新发展理念，加快构建新发展格局。",
    "坚持创新驱动、系统推进，坚持政府引导、市场主导，坚持统筹发展和安全。",
    "各地各部门要提高政治站位，强化责任担当，把各项任务落到实处。",
    "要进一步完善工作机制，加强部门协同，形成工作合力。",
    "强化要素保障，统筹用地、用能、资金等资源向重点领域倾斜。",
    "加强宣传引导，及时总结推广典型经验做法，营造良好社会氛围。",
    "建立健全评价体系，定期开展跟踪分析，确保各项措施取得实效。",
    "聚焦主导产业，延链补链强链，推动产业集群化、高端化、智能化、绿色化发展。",
    "深化产学研用协同，促进创新链、产业链、资金链、人才链深度融合。",
    "持续优化营商环境，加大对民营企业和中小企业的支持力度。",
    "推动公共服务资源向基层延伸，不断增强人民群众的获得感、幸福感、安全感。",
    "加强生态环境保护，推进绿色低碳转型，建设人与自然和谐共生的美丽家园。",
    "发挥财政资金引导作用，撬动更多社会资本投入重点领域。",
    "完善人才引进培养机制，着力打造人才集聚高地。",
    "围绕群众急难愁盼问题，扎实办好各项民生实事。",
]  # fmt: skip
NEWS_FILLER = [
    "据了解，相关项目涵盖新一代信息技术、高端装备、新材料、现代物流等领域。",
    "与会人员围绕产业发展、要素保障等议题进行了深入交流。",
    "下一步，相关部门将持续跟踪服务，推动项目早落地、早见效。",
    "现场气氛热烈，企业代表纷纷表示对发展前景充满信心。",
    "活动吸引了众多企业代表和市民群众参与。",
    "该负责人表示，将进一步优化服务，全力支持企业做大做强。",
]  # fmt: skip


# --------------------------------------------------------------------------- articles


@dataclass
class Article:
    """One article's text, metadata and answers, independent of the page it is wrapped in."""

    kind: str  # plan | news | report | notice
    title: str
    publish_date: dt.date
    region: Region
    publisher: str
    paragraphs: list[str]
    targets: list[dict] = field(default_factory=list)
    optional_targets: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    optional_events: list[dict] = field(default_factory=list)
    reported: list[dict] = field(default_factory=list)
    doc_number: str | None = None
    signed_date: dt.date | None = None


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(value: int) -> str:
    """12 → 十二, 40 → 四十, 7 → 七 (values below 100)."""
    tens, ones = divmod(value, 10)
    if not tens:
        return _CN_DIGITS[ones]
    return (
        (_CN_DIGITS[tens] if tens > 1 else "")
        + "十"
        + (_CN_DIGITS[ones] if ones else "")
    )


def _number(rng: random.Random, value: float, unit: str) -> str:
    """A value as written: mostly digits, sometimes 十二 or 3,500 or 百分之十五."""
    roll = rng.random()
    if value.is_integer() and value < 100 and roll < 0.12:
        return (
            f"百分之{_cn_number(int(value))}"
            if unit == "%"
            else _cn_number(int(value)) + unit
        )
    if value.is_integer() and value >= 1000 and roll < 0.25:
        return f"{int(value):,}{unit}"
    return f"{_fmt(value)}{unit}"


def _value(rng: random.Random, low: float, high: float, decimals: int) -> float:
    value = rng.uniform(low, high)
    return round(value, decimals) if decimals else float(round(value))


def _cn_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def _cn_date_numerals(date: dt.date) -> str:
    """2024年5月16日 → 二〇二四年五月十六日 (how signed documents date themselves)."""
    year = "".join("〇一二三四五六七八九"[int(d)] for d in str(date.year))
    return f"{year}年{_cn_number(date.month)}月{_cn_number(date.day)}日"


def _target(
    indicator: str, value: float, unit: str, comparator: str, year: int | None
) -> dict:
    return {
        "indicator": indicator,
        "value": value,
        "unit": unit,
        "comparator": comparator,
        "year": year,
    }


def _event(date: str, key: str, kind: str, name: str) -> dict:
    return {"date": date, "key": key, "type": kind, "name": name}


# Comparator wording: (prefix before the number, suffix after the unit).
_COMPARATOR_WORDS = {
    "=": [("达到", ""), ("达", ""), ("实现", ""), ("", "")],
    ">": [("超过", ""), ("突破", ""), ("超", "")],
    ">=": [
        ("", "以上"),
        ("不少于", ""),
        ("至少", ""),
        ("不低于", ""),
        ("达到", "以上"),
    ],
    "~": [("", "左右"), ("达到", "左右"), ("约", "")],
    "<=": [("控制在", "以内"), ("不超过", ""), ("不高于", "")],
}


def _level_clause(
    rng: random.Random, year: int | None, whole: str
) -> tuple[str, list[dict]]:
    """全市地区生产总值突破8000亿元 (one measured level)."""
    indicator, unit, low, high, decimals = rng.choice(LEVEL_INDICATORS)
    value = _value(rng, low, high, decimals)
    comparator = rng.choice(["=", "=", ">", ">=", "~"])
    prefix, suffix = rng.choice(_COMPARATOR_WORDS[comparator])
    lead = whole if rng.random() < 0.4 else ""
    written = _number(rng, value, unit)
    return f"{lead}{indicator}{prefix}{written}{suffix}", [
        _target(indicator, value, unit, comparator, year)
    ]


def _growth_clause(rng: random.Random, year: int | None) -> tuple[str, list[dict]]:
    indicator = rng.choice(GROWTH_INDICATORS)
    value = _value(rng, 4, 12, rng.choice([0, 1]))
    comparator = rng.choice(["=", "~", ">=", "~"])
    prefix, suffix = rng.choice(
        [w for w in _COMPARATOR_WORDS[comparator] if w[0] not in ("达到", "达", "实现")]
        or [("", "")]
    )
    return f"{indicator}{prefix}{_fmt(value)}%{suffix}", [
        _target(indicator, value, "%", comparator, year)
    ]


def _count_list(rng: random.Random, year: int | None) -> tuple[str, list[dict]]:
    """培育高新技术企业500家、智能工厂20家以上 (one verb over the list)."""
    verb = rng.choice(COUNT_VERBS)
    items = rng.sample(COUNT_INDICATORS, rng.choice([1, 2, 2, 3]))
    parts, gold = [], []
    number_first = rng.random() < 0.3 and len(items) == 1
    for indicator, unit, low, high in items:
        value = _value(rng, low, high, 0)
        comparator = rng.choice(["=", "=", ">=", ">"])
        if number_first:  # 建设30个示范性数字化车间
            comparator = "="
            parts.append(f"{_fmt(value)}{unit}{indicator}")
        elif comparator == ">=":
            parts.append(f"{indicator}{_number(rng, value, unit)}以上")
        elif comparator == ">":
            parts.append(f"{indicator}超{_number(rng, value, unit)}")
        else:
            parts.append(f"{indicator}{_number(rng, value, unit)}")
        gold.append(_target(indicator, value, unit, comparator, year))
    return verb + "、".join(parts), gold


def _paired_clause(rng: random.Random, year: int | None) -> tuple[str, list[dict]]:
    """城镇、农村居民人均可支配收入分别达到6.5万元和3.2万元."""
    prefix, a, b, suffix, unit, low, high = rng.choice(PAIRS)
    v1, v2 = _value(rng, low, high, 0), _value(rng, low, high, 0)
    if rng.random() < 0.25:
        return f"{prefix}{a}、{b}{suffix}均达到{_fmt(v1)}{unit}", [
            _target(prefix + a + suffix, v1, unit, "=", year), _target(prefix + b + suffix, v1, unit, "=", year)
        ]  # fmt: skip
    return f"{prefix}{a}、{b}{suffix}分别达到{_fmt(v1)}{unit}和{_fmt(v2)}{unit}", [
        _target(prefix + a + suffix, v1, unit, "=", year), _target(prefix + b + suffix, v2, unit, "=", year)
    ]  # fmt: skip


def _range_clause(rng: random.Random, year: int | None) -> tuple[str, list[dict]]:
    """建设省级重点实验室3—5个: two range items."""
    indicator, unit, low, high = rng.choice(COUNT_INDICATORS)
    first = max(2, int(_value(rng, low, high, 0) // 2))
    second = first + rng.choice([1, 2, 3, 5, 10])
    verb = rng.choice(COUNT_VERBS)
    return f"{verb}{indicator}{first}—{second}{unit}", [
        _target(indicator, float(first), unit, "range", year), _target(indicator, float(second), unit, "range", year)
    ]  # fmt: skip


def _ceiling_clause(rng: random.Random, year: int | None) -> tuple[str, list[dict]]:
    """城镇调查失业率控制在5.5%以内."""
    indicator, low, high = rng.choice(
        [
            ("城镇调查失业率", 5, 5.5),
            ("居民消费价格涨幅", 3, 3),
            ("万元地区生产总值能耗", 0.3, 0.45),
        ]
    )
    value = round(rng.uniform(low, high), 1)
    unit = "吨标准煤" if "能耗" in indicator else "%"
    prefix, suffix = rng.choice(_COMPARATOR_WORDS["<="])
    return f"{indicator}{prefix}{_fmt(value)}{unit}{suffix}", [
        _target(indicator, value, unit, "<=", year)
    ]


def _doubling_clause(
    rng: random.Random, year: int | None, pub: dt.date
) -> tuple[str, list[dict]]:
    """高新技术企业数量比2020年翻一番 (2 倍 of the baseline)."""
    indicator = rng.choice(
        [
            "高新技术企业数量",
            "研发经费投入",
            "数字经济规模",
            "技术合同成交额",
            "外贸进出口总额",
        ]
    )
    base = pub.year - rng.choice([1, 2, 3])
    times, value = rng.choice([("翻一番", 2.0), ("翻一番", 2.0), ("翻两番", 4.0)])
    item = _target(indicator, value, "倍", "=", year)
    return f"{indicator}比{base}年{times}", [item]


def _target_sentence(
    rng: random.Random,
    year: int | None,
    whole: str,
    clauses: int,
    pub: dt.date | None = None,
) -> tuple[str, list[dict]]:
    makers: list[Callable] = [
        lambda: _level_clause(rng, year, whole), lambda: _level_clause(rng, year, whole),
        lambda: _count_list(rng, year), lambda: _count_list(rng, year), lambda: _growth_clause(rng, year),
        lambda: _paired_clause(rng, year), lambda: _range_clause(rng, year),
    ]  # fmt: skip
    if pub is not None and year is not None and year - pub.year >= 3:
        makers.append(lambda: _doubling_clause(rng, year, pub))
    texts, gold, seen = [], [], set()
    for _ in range(clauses):
        text, items = rng.choice(makers)()
        if any(item["indicator"] in seen for item in items):
            continue
        seen.update(item["indicator"] for item in items)
        texts.append(text)
        gold += items
    return "，".join(texts), gold


def _deadline(rng: random.Random, pub: dt.date) -> tuple[str, int]:
    """到2025年 / 力争到2027年底 / “十四五”期间 — and the year it gives."""
    year = pub.year + rng.choice([1, 2, 2, 3, 5])
    if pub.year <= 2024 and rng.random() < 0.12:
        return rng.choice(["“十四五”期间", "到“十四五”末"]), 2025
    if rng.random() < 0.06:
        return "到“十五五”末", 2030
    return rng.choice(["到{}年", "力争到{}年", "到{}年底", "争取到{}年"]).format(
        year
    ), year


def _past_figures(rng: random.Random, year: int, whole: str) -> tuple[str, list[dict]]:
    """2023年，全市地区生产总值完成5728.6亿元，同比增长5.1%；… (reported)."""
    items = rng.sample(LEVEL_INDICATORS[:24], 2)
    clauses, gold = [], []
    for i, (indicator, unit, low, high, decimals) in enumerate(items):
        value = _value(rng, low * 0.8, high * 0.8, max(decimals, 1))
        verb = rng.choice(["", "完成", "达到", "实现"])
        lead = whole if i == 0 else ""
        clause = f"{lead}{indicator}{verb}{_fmt(value)}{unit}"
        gold.append(
            {
                "indicator": indicator,
                "value": value,
                "unit": unit,
                "period": str(year),
                "value_kind": "level",
            }
        )
        if unit != "%" and rng.random() < 0.6:
            growth = round(rng.uniform(1, 12), 1)
            clause += f"，同比增长{_fmt(growth)}%"
            gold.append({"indicator": indicator + "增长", "value": growth, "unit": "%", "period": str(year),
                         "value_kind": "change"})  # fmt: skip
        clauses.append(clause)
    return f"{year}年，" + "；".join(clauses) + "。", gold


def _cutoff_figures(
    rng: random.Random, pub: dt.date, whole: str
) -> tuple[str, list[dict]]:
    """截至去年底，全市共有高新技术企业1200家 / 今年以来，…同比增长5.3% (reported)."""
    indicator, unit, low, high = rng.choice(COUNT_INDICATORS)
    value = _value(rng, low, high, 0)
    if rng.random() < 0.5:
        text = f"截至去年底，{whole}共有{indicator}{_fmt(value)}{unit}。"
        return text, [{"indicator": indicator, "value": value, "unit": unit, "period": str(pub.year - 1),
                       "value_kind": "level"}]  # fmt: skip
    indicator, unit, low, high, decimals = rng.choice(LEVEL_INDICATORS[:24])
    level = _value(rng, low * 0.5, high * 0.5, max(decimals, 1))
    growth = round(rng.uniform(1, 12), 1)
    text = (
        f"今年以来，{whole}{indicator}达{_fmt(level)}{unit}，同比增长{_fmt(growth)}%。"
    )
    items = [
        {
            "indicator": indicator,
            "value": level,
            "unit": unit,
            "period": str(pub.year),
            "value_kind": "level",
        }
    ]
    if unit != "%":
        items.append({"indicator": indicator + "增长", "value": growth, "unit": "%", "period": str(pub.year),
                      "value_kind": "change"})  # fmt: skip
    else:
        text = f"今年以来，{whole}{indicator}达{_fmt(level)}{unit}。"
    return text, items


def _forecast(rng: random.Random) -> str:
    """A project's expected output: no target, no reported figure."""
    park = rng.choice(PARKS[:2] + PARKS[3:4] + PARKS[6:8])
    return (f"该{park}项目计划总投资{rng.randrange(5, 80)}亿元，全部建成达产后预计年产值可达{rng.randrange(10, 300)}亿元，"
            f"可带动就业{rng.randrange(1, 9)}千余人。")  # fmt: skip


def _pub_date(rng: random.Random) -> dt.date:
    start = dt.date(2019, 1, 1)
    while True:
        date = start + dt.timedelta(days=rng.randrange(0, 6 * 365 + 180))
        if date.day >= 6 and date.month >= 3:
            return date


def _past_day(rng: random.Random, pub: dt.date, max_back: int = 60) -> dt.date:
    return pub - dt.timedelta(days=rng.randrange(2, max_back))


# --- events (each returns a paragraph and its gold events) ------------------


def _event_conference(
    rng: random.Random, pub: dt.date, region: Region
) -> tuple[str, list[dict]]:
    topic = rng.choice(CONFERENCE_TOPICS)
    venue = rng.choice(VENUES)
    name = f"{topic}大会"
    style = rng.random()
    if style < 0.4:
        date, lead = pub - dt.timedelta(days=1), rng.choice(["昨日", "昨天"])
        iso = date.isoformat()
    elif style < 0.7:
        day = rng.randrange(1, pub.day)
        lead, iso = f"{day}日", dt.date(pub.year, pub.month, day).isoformat()
    else:
        date = (
            _past_day(rng, dt.date(pub.year, pub.month, 1), 40)
            if pub.month > 1
            else pub - dt.timedelta(days=3)
        )
        if date.year != pub.year:
            date = pub - dt.timedelta(days=3)
        lead, iso = f"{date.month}月{date.day}日", date.isoformat()
    verb = rng.choice(["召开", "举行", "隆重举行", "举办"])
    text = f"{lead}，{region.full}{name}在{venue}{verb}。"
    events = [_event(iso, name, "conference", f"{region.full}{name}")]
    if rng.random() < 0.6:  # 会上 takes the conference's date
        projects, amount = rng.randrange(5, 60), round(rng.uniform(10, 400), 1)
        text += f"会上，{projects}个重点项目集中签约，总投资{_fmt(amount)}亿元。"
        events.append(_event(iso, "签约", "signing", f"{projects}个重点项目集中签约"))
    return text, events


def _event_meeting(
    rng: random.Random, pub: dt.date, region: Region
) -> tuple[str, list[dict]]:
    topic = rng.choice(MEETING_TOPICS)
    noun = rng.choice(["工作会议", "推进会", "工作会", "现场会"])
    name = f"{topic}{noun}"
    date = pub - dt.timedelta(days=rng.choice([0, 1, 2, 3]))
    if date == pub:
        lead = rng.choice(["今天上午", "今日"])
    elif date == pub - dt.timedelta(days=1):
        lead = "昨日"
    elif date.month == pub.month:
        lead = f"{date.day}日"
    else:
        lead = f"{date.month}月{date.day}日"
    body = (
        f"{lead}，{region.whole}{name}召开。"
        if rng.random() < 0.4
        else f"{lead}，{region.full}召开{name}。"
    )
    body += rng.choice(FILLER)
    return body, [_event(date.isoformat(), name, "meeting", name)]


def _event_visit(
    rng: random.Random, pub: dt.date, region: Region
) -> tuple[str, list[dict]]:
    official = rng.choice(OFFICIALS)
    day = rng.randrange(1, pub.day)
    verb = rng.choice(["考察", "调研"])
    place = rng.choice([region.full, region.name, f"{region.name}部分企业"])
    text = f"{day}日，{official}一行到{place}{verb}。{rng.choice(NEWS_FILLER)}"
    return text, [
        _event(
            dt.date(pub.year, pub.month, day).isoformat(),
            verb,
            "visit",
            f"{official}到{place}{verb}",
        )
    ]


def _event_selection(
    rng: random.Random, pub: dt.date, region: Region
) -> tuple[str, list[dict]]:
    listing = rng.choice(SELECTION_LISTS)
    month = rng.randrange(1, 13)
    text = f"去年{month}月，{region.full}入选{listing}名单。"
    return text, [
        _event(
            f"{pub.year - 1}-{month:02d}",
            listing,
            "selection",
            f"{region.full}入选{listing}",
        )
    ]


def _event_launch(
    rng: random.Random, pub: dt.date, region: Region
) -> tuple[str, list[dict]]:
    park = rng.choice(PARKS)
    verb = rng.choice(["正式开园", "建成启用", "正式投用", "揭牌"])
    name = f"{region.name}{park}"
    if rng.random() < 0.5 and pub.month > 2:
        month = rng.randrange(1, pub.month)
        day = rng.randrange(1, 29)
        lead = rng.choice(
            [
                f"{month}月{day}日",
                f"今年{month}月{day}日",
                f"{pub.year}年{month}月{day}日",
            ]
        )
        if month == pub.month - 1 and rng.random() < 0.5:
            lead = f"上月{day}日"
        return f"{lead}，{name}{verb}。", [
            _event(dt.date(pub.year, month, day).isoformat(), park, "launch", name + verb)
        ]  # fmt: skip
    month = rng.randrange(1, 13)
    return f"去年{month}月，{name}{verb}，{rng.choice(FILLER)}", [
        _event(f"{pub.year - 1}-{month:02d}", park, "launch", name + verb)
    ]  # fmt: skip


def _event_signing(
    rng: random.Random, pub: dt.date, region: Region
) -> tuple[str, list[dict]]:
    organisation = rng.choice(ORGANISATIONS)
    if rng.random() < 0.5:
        text = f"今天上午，{region.full}人民政府与{organisation}签署战略合作协议。"
        return text, [
            _event(
                pub.isoformat(),
                "战略合作协议",
                "signing",
                f"与{organisation}签署战略合作协议",
            )
        ]
    day = rng.randrange(1, pub.day)
    projects, amount = rng.randrange(5, 40), round(rng.uniform(5, 200), 1)
    text = f"{day}日，{region.full}重大项目集中签约仪式在{rng.choice(VENUES)}举行，现场签约项目{projects}个，总投资{_fmt(amount)}亿元。"
    iso = dt.date(pub.year, pub.month, day).isoformat()
    return text, [_event(iso, "签约", "signing", f"{region.full}重大项目集中签约")]


def _event_fund(
    rng: random.Random, pub: dt.date, region: Region
) -> tuple[str, list[dict]]:
    fund = rng.choice(FUNDS)
    amount = rng.choice([5, 10, 20, 30, 50])
    text = f"今年初，{region.full}人民政府设立规模{amount}亿元的{fund}。"
    return text, [_event(str(pub.year), fund, "fund_launch", f"设立{fund}")]


EVENT_MAKERS = [
    _event_conference, _event_meeting, _event_visit, _event_selection, _event_launch, _event_signing, _event_fund,
]  # fmt: skip


def _news_events(
    rng: random.Random, pub: dt.date, region: Region, count: int
) -> tuple[list[str], list[dict]]:
    paragraphs, events, used = [], [], set()
    for maker in rng.sample(EVENT_MAKERS, count):
        text, items = maker(rng, pub, region)
        # The extractor keeps one event per type and date; so does the gold.
        if any((e["type"], e["date"]) in used for e in items):
            continue
        used.update((e["type"], e["date"]) for e in items)
        paragraphs.append(text)
        events += items
    return paragraphs, events


# --- article kinds ------------------------------------------------------------


def _plan(rng: random.Random, region: Region) -> Article:
    pub = _pub_date(rng)
    signed = pub - dt.timedelta(days=rng.randrange(1, 12))
    short, plan_name = rng.choice(PLAN_TOPICS)
    end_year = pub.year + rng.choice([2, 3, 3, 5])
    span = f"（{pub.year}—{end_year}年）"
    full_plan = f"{region.full}{plan_name}{span}"
    office = f"{region.full}人民政府办公{'厅' if region.level == '省' else '室'}"
    number = f"{region.abbr}政办〔{signed.year}〕{rng.randrange(1, 160)}号"
    title = f"{office}关于印发{full_plan}的通知"
    article = Article(
        "plan", title, pub, region, office, [], doc_number=number, signed_date=signed
    )
    subordinate = (
        "各市、县（区）人民政府"
        if region.level == "省"
        else "各县（市、区）人民政府"
        if region.level == "市"
        else "各乡镇人民政府"
    )
    paragraphs = [
        number,
        f"{subordinate}，{region.name}各部门、各直属机构：",
        f"经{region.level}人民政府同意，现将《{full_plan}》印发给你们，请认真组织实施。",
        office,
        _cn_date(signed) if rng.random() < 0.8 else _cn_date_numerals(signed),
        "（此件主动公开）",
        full_plan,
        f"为加快推进{short}高质量发展，结合{region.name}实际，制定本方案。",
    ]
    article.events.append(
        _event(signed.isoformat(), plan_name, "policy_release", f"印发《{full_plan}》")
    )
    base_text, reported = _past_figures(rng, pub.year - 1, region.whole)
    paragraphs.append(base_text + rng.choice(FILLER))
    article.reported += reported
    paragraphs += [
        "一、总体要求",
        rng.choice(FILLER) + rng.choice(FILLER),
        "二、主要目标",
    ]
    year = end_year
    lead, year = (
        (f"到{end_year}年", end_year) if rng.random() < 0.6 else _deadline(rng, pub)
    )
    text, gold = _target_sentence(rng, year, region.whole, rng.randrange(2, 5), pub)
    paragraphs.append(f"{lead}，{text}。")
    article.targets += gold
    if rng.random() < 0.6:  # a list introduced by the deadline line
        lead2, year2 = _deadline(rng, pub)
        paragraphs.append(f"{lead2}，{short}发展取得显著成效——")
        for _ in range(rng.randrange(2, 4)):
            text, gold = _target_sentence(
                rng, year2, region.whole, rng.randrange(1, 3), pub
            )
            paragraphs.append(f"● {text}。")
            article.targets += gold
    paragraphs.append("三、重点任务")
    for number_cn in "一二三"[: rng.randrange(2, 4)]:
        task = rng.choice(FILLER)
        paragraph = f"（{number_cn}）{task}"
        roll = rng.random()
        if roll < 0.35:
            indicator, unit, low, high = rng.choice(COUNT_INDICATORS)
            value = _value(rng, low, high, 0)
            paragraph += (
                f"每年{rng.choice(COUNT_VERBS)}{indicator}{_fmt(value)}{unit}以上。"
            )
            article.targets.append(_target(indicator, value, unit, ">=", None))
        elif roll < 0.7:
            lead3, year3 = _deadline(rng, pub)
            text, gold = _target_sentence(rng, year3, region.whole, 1, pub)
            paragraph += f"{lead3}，{text}。"
            article.targets += gold
        paragraphs.append(paragraph)
    paragraphs += ["四、保障措施", rng.choice(FILLER) + rng.choice(FILLER)]
    if rng.random() < 0.5:
        paragraphs.append("本方案自印发之日起施行。")
        article.events.append(
            _event(signed.isoformat(), "施行", "policy_effective", "自印发之日起施行")
        )
    else:
        effective = dt.date(pub.year, pub.month, 1) + dt.timedelta(
            days=rng.choice([31, 45, 62])
        )
        effective = effective.replace(day=1)
        paragraphs.append(
            f"本方案自{_cn_date(effective)}起施行，有效期至{end_year}年12月31日。"
        )
        article.events.append(
            _event(
                effective.isoformat(),
                "施行",
                "policy_effective",
                f"本方案自{_cn_date(effective)}起施行",
            )
        )
    article.paragraphs = paragraphs
    return article


def _news(rng: random.Random, region: Region) -> Article:
    pub = _pub_date(rng)
    paragraphs, events = _news_events(rng, pub, region, rng.randrange(2, 4))
    subject = rng.choice(CONFERENCE_TOPICS + MEETING_TOPICS)
    title = rng.choice([f"{region.full}推动{subject}工作取得新成效", f"{region.name}：{subject}跑出加速度",
                        f"{region.full}持续发力{subject}"])  # fmt: skip
    publisher = f"{region.full}融媒体中心"
    article = Article("news", title, pub, region, publisher, [], events=events)
    body = list(paragraphs)
    if rng.random() < 0.7:
        text, reported = _past_figures(rng, pub.year - 1, region.whole)
        body.insert(rng.randrange(1, len(body) + 1), text)
        article.reported += reported
    body.insert(
        rng.randrange(1, len(body) + 1),
        rng.choice(NEWS_FILLER) + rng.choice(NEWS_FILLER),
    )
    if rng.random() < 0.4:
        text, reported = _cutoff_figures(rng, pub, region.whole)
        body.insert(rng.randrange(1, len(body) + 1), text)
        article.reported += reported
    if rng.random() < 0.25:
        body.insert(rng.randrange(1, len(body) + 1), _forecast(rng))
    if rng.random() < 0.75:  # the closing plan
        lead, year = _deadline(rng, pub)
        text, gold = _target_sentence(rng, year, region.whole, rng.randrange(1, 3), pub)
        body.append(f"据介绍，下一步，{region.name}将{lead}{text}。")
        article.targets += gold
    if rng.random() < 0.4:  # 今年 goal, resolved to the publication year
        text, gold = _target_sentence(rng, pub.year, region.whole, 1)
        body.append(f"今年，{region.whole}力争{text}。")
        article.targets += gold
    article.paragraphs = body
    return article


def _report(rng: random.Random, region: Region) -> Article:
    """A government work report (摘要): last year's figures, this year's goals."""
    pub = _pub_date(rng)
    pub = dt.date(pub.year, rng.choice([1, 2]), rng.randrange(8, 28))
    session_day = pub - dt.timedelta(days=rng.randrange(2, 6))
    level = "省" if region.level == "省" else "市" if region.level == "市" else "县"
    title = "政府工作报告（摘要）"
    article = Article("report", title, pub, region, f"{region.full}人民政府", [])
    session = rng.choice(["二", "三", "四", "五"])
    paragraphs = [
        f"——{_cn_date(session_day)}在{region.full}第十七届人民代表大会第{session}次会议上",
        f"{region.full}人民政府{level}长",
        f"一、{pub.year - 1}年工作回顾",
        rng.choice(FILLER),
    ]
    article.events.append(
        _event(
            session_day.isoformat(),
            "代表大会",
            "meeting",
            f"第十七届人民代表大会第{session}次会议",
        )
    )
    text, reported = _past_figures(rng, pub.year - 1, region.whole)
    paragraphs.append(text)
    article.reported += reported
    event_text, events = _event_launch(rng, pub, region)  # January or February: 去年N月
    paragraphs.append(event_text)
    article.events += events
    paragraphs += [f"二、{pub.year}年主要目标", rng.choice(FILLER)]
    clauses, gold = [], []
    for maker in (_growth_clause, _growth_clause, _ceiling_clause):
        clause, items = maker(rng, pub.year)
        if items[0]["indicator"] in {g["indicator"] for g in gold}:
            continue
        clauses.append(clause)
        gold += items
    paragraphs.append("今年经济社会发展的主要预期目标是：" + "，".join(clauses) + "。")
    article.targets += gold
    text, gold = _target_sentence(rng, pub.year, region.whole, 2)
    paragraphs.append(f"全年{text}。")
    article.targets += gold
    paragraphs.append(rng.choice(FILLER) + rng.choice(FILLER))
    article.paragraphs = paragraphs
    return article


def _notice(rng: random.Random, region: Region) -> Article:
    """A short notice in plain text: goals for a deadline, an event or two."""
    pub = _pub_date(rng)
    short, _ = rng.choice(PLAN_TOPICS)
    title = f"{region.full}加快推进{short}发展"
    article = Article(
        "notice", title, pub, region, f"{region.full}发展和改革委员会", []
    )
    paragraphs, events = _news_events(rng, pub, region, rng.randrange(1, 3))
    article.events += events
    lead, year = _deadline(rng, pub)
    text, gold = _target_sentence(rng, year, region.whole, rng.randrange(2, 4), pub)
    body = [rng.choice(FILLER), f"{lead}，{text}。", *paragraphs, rng.choice(FILLER)]
    article.targets += gold
    article.paragraphs = body
    return article


ARTICLE_KINDS = [(_plan, 0.3), (_news, 0.4), (_report, 0.1), (_notice, 0.2)]


def make_article(rng: random.Random) -> Article:
    region = rng.choice(REGIONS)
    roll, total = rng.random(), 0.0
    for maker, share in ARTICLE_KINDS:
        total += share
        if roll < total:
            return maker(rng, region)
    return _news(rng, region)


# --------------------------------------------------------------------------- page shells

_NAV_ITEMS = ["首页", "政务公开", "政务服务", "互动交流", "新闻中心", "走进本地", "专题专栏", "政策文件", "政策解读",
              "信息公开指南", "信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开"]  # fmt: skip
_SIDEBAR = ["政策文件库", "政策解读专栏", "政府信息公开指南", "领导信息", "机构职能", "规划信息", "财政预决算",
            "人事信息", "统计信息", "应急管理", "建议提案办理", "政务服务事项目录"]  # fmt: skip
_SCRIPT = (
    '<script type="text/javascript">\n'
    'var _hmt = _hmt || [];\n(function() {\n  var hm = document.createElement("script");\n'
    '  hm.src = "https://hm.baidu.com/hm.js?3f8b1c2d4e5a6b7c8d9e0f1a2b3c4d5e";\n'
    '  var s = document.getElementsByTagName("script")[0];\n  s.parentNode.insertBefore(hm, s);\n})();\n'
    "function doZoom(size){var el=document.getElementById('zoom');if(!el){return;}el.style.fontSize=size+'px';}\n"
    "function printPage(){window.print();}\n"
    "$(function(){$('.nav li').hover(function(){$(this).addClass('on');},function(){$(this).removeClass('on');});\n"
    "  $('#searchBtn').click(function(){var q=$('#searchInput').val();if(!q){alert('请输入关键词');return false;}\n"
    "  window.location.href='/search/?q='+encodeURIComponent(q);});});\n"
    "</script>\n"
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _site(region: Region) -> str:
    return f"{region.full}人民政府"


def _nav(rng: random.Random) -> str:
    items = "".join(
        f'<li><a href="/{i}/">{name}</a></li>' for i, name in enumerate(_NAV_ITEMS)
    )
    return f'<div class="nav" id="nav"><ul>{items}</ul></div>\n'


def _footer(site: str, rng: random.Random) -> str:
    return (
        '<div class="footer"><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | '
        '<a href="/sybz/">使用帮助</a></p>'
        f"<p>主办单位：{site}办公室　　承办单位：{site}信息中心</p>"
        f"<p>闽ICP备{rng.randrange(10000000, 99999999)}号　　网站标识码：{rng.randrange(3500000000, 3599999999)}</p>"
        "<p>建议使用IE9以上版本或谷歌、火狐浏览器浏览本网站</p></div>\n"
    )


def _paragraph_html(paragraphs: list[str]) -> str:
    out = []
    for p in paragraphs:
        if len(p) <= 20 and (
            p[:2] in {"一、", "二、", "三、", "四、"} or p.endswith("号")
        ):
            out.append(
                f'<p style="text-align:center"><strong>{_escape(p)}</strong></p>'
            )
        else:
            out.append(f"<p>　　{_escape(p)}</p>")
    return "\n".join(out)


def _head(title: str, site: str, charset: str, extra: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"{extra}<title>{_escape(title)}_{site}</title>\n"
        '<link rel="stylesheet" href="/images/common.css">\n'
        f"{_SCRIPT}</head>\n"
    )


def shell_gov(article: Article, rng: random.Random, charset: str) -> str:
    """A gov.cn policy page: PubDate meta, metadata table, content div."""
    site = _site(article.region)
    pub = article.publish_date
    stamp = f"{pub.isoformat()} {rng.randrange(8, 18):02d}:{rng.randrange(0, 60):02d}"
    meta = (
        f'<meta name="ArticleTitle" content="{_escape(article.title)}">\n'
        f'<meta name="PubDate" content="{stamp}">\n'
        f'<meta name="ContentSource" content="{article.publisher}">\n'
    )
    signed = article.signed_date.isoformat() if article.signed_date else pub.isoformat()
    table = (
        '<table class="xxgk_table">'
        f"<tr><td>索 引 号：</td><td>{article.region.abbr}{rng.randrange(10000, 99999)}-{pub.year}-{rng.randrange(100, 999)}</td>"
        f"<td>主题分类：</td><td>国民经济管理</td></tr>"
        f"<tr><td>发文机关：</td><td>{article.publisher}</td><td>成文日期：</td><td>{signed}</td></tr>"
        f'<tr><td>标　　题：</td><td colspan="3">{_escape(article.title)}</td></tr>'
        f"<tr><td>发文字号：</td><td>{article.doc_number or ''}</td><td>发布日期：</td><td>{pub.isoformat()}</td></tr>"
        "</table>\n"
    )
    return (
        _head(article.title, site, charset, meta) + "<body>\n" + _nav(rng)
        + "<div class=\"BreadcrumbNav\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/zwgk/\">政务公开</a> &gt; 政策文件</div>\n"
        + table + "<div class=\"article\">\n"
        + f"<h1>{_escape(article.title)}</h1>\n<div class=\"pages-date\">{stamp}　来源：{article.publisher}</div>\n"
        + "<div class=\"pages_content\" id=\"UCAP-CONTENT\">\n" + _paragraph_html(article.paragraphs) + "\n</div>\n"
        + "<div class=\"share\">分享到：<a href=\"#\">微信</a> <a href=\"#\">微博</a>　【打印】【关闭】</div>\n"
        + "</div>\n" + _footer(site, rng) + "</body>\n</html>\n"
    )  # fmt: skip


def shell_news(article: Article, rng: random.Random, charset: str) -> str:
    """A county news page: navigation, scripts, sidebar, footer, 发布时间 line."""
    site = _site(article.region)
    pub = article.publish_date
    stamp = f"{pub.isoformat()} {rng.randrange(8, 20):02d}:{rng.randrange(0, 60):02d}"
    meta = f'<meta name="publishdate" content="{stamp}">\n<meta name="source" content="{article.publisher}">\n'
    sidebar = "".join(
        f'<li><a href="/zwgk/{i}/">{name}</a></li>'
        for i, name in enumerate(rng.sample(_SIDEBAR, 8))
    )
    return (
        _head(article.title, site, charset, meta) + "<body>\n<div class=\"top\"><a href=\"/\">无障碍浏览</a> | "
        + "<a href=\"/\">长者模式</a> | <input id=\"searchInput\" type=\"text\"><button id=\"searchBtn\">搜索</button></div>\n"
        + _nav(rng) + "<div class=\"location\">您当前的位置：<a href=\"/\">首页</a> &gt; <a href=\"/xwzx/\">新闻中心</a> &gt; 本地新闻</div>\n"
        + "<div class=\"main\">\n<div class=\"article\">\n"
        + f"<h2>{_escape(article.title)}</h2>\n"
        + f"<div class=\"info\">发布时间：{stamp}　来源：{article.publisher}　浏览次数：<span id=\"hits\">{rng.randrange(100, 9000)}</span></div>\n"
        + "<div class=\"content\" id=\"zoom\">\n" + _paragraph_html(article.paragraphs) + "\n</div>\n"
        + f"<div class=\"editor\">责任编辑：{rng.choice(['林', '陈', '黄', '郑', '王'])}{rng.choice(['晓', '志', '雅', '建'])}{rng.choice(['燕', '强', '华', '明'])}</div>\n"
        + "</div>\n<div class=\"sidebar\"><h3>相关链接</h3><ul>" + sidebar + "</ul></div>\n</div>\n"
        + "<script>document.getElementById('hits').innerHTML = Math.floor(Math.random()*1000);</script>\n"
        + _footer(site, rng) + "</body>\n</html>\n"
    )  # fmt: skip


def shell_markdown(article: Article, rng: random.Random, charset: str) -> str:
    front = (
        f'---\ntitle: "{article.title}"\ndate: {article.publish_date.isoformat()}\n'
        f"source: {article.publisher}\nauthor: {article.region.full}人民政府\n---\n\n"
    )
    lines = [f"# {article.title}", ""]
    for p in article.paragraphs:
        if p[:2] in {"一、", "二、", "三、", "四、"} and len(p) <= 20:
            lines += [f"## {p}", ""]
        else:
            lines += [p, ""]
    return front + "\n".join(lines)


def shell_text(article: Article, rng: random.Random, charset: str) -> str:
    pub = article.publish_date
    stamp = f"{pub.isoformat()} {rng.randrange(8, 18):02d}:{rng.randrange(0, 60):02d}"
    head = [
        f"当前位置：首页 > 政务公开 > {rng.choice(['政策文件', '工作动态', '通知公告'])}",
        article.title,
        f"来源：{article.publisher}　　发布时间：{stamp}　　【字体：大 中 小】　【打印】",
        "",
    ]
    tail = [
        "",
        "【打印】【关闭窗口】",
        f"责任编辑：{rng.choice(['林', '陈', '黄'])}{rng.choice(['晓燕', '志强', '建华'])}",
    ]
    return "\n".join(head + ["　　" + p for p in article.paragraphs] + tail) + "\n"


SHELLS: dict[str, tuple[Callable[[Article, random.Random, str], str], str]] = {
    "gov": (shell_gov, "html"), "news": (shell_news, "html"), "md": (shell_markdown, "md"), "txt": (shell_text, "txt"),
}  # fmt: skip
_PREFERRED_SHELLS = {"plan": ["gov", "gov", "txt", "md"], "news": ["news", "news", "news", "txt", "md"],
                     "report": ["md", "md", "news"], "notice": ["txt", "txt", "news", "gov"]}  # fmt: skip


def _render(
    article: Article, shell: str, rng: random.Random, gbk: bool
) -> tuple[bytes, str]:
    render, ext = SHELLS[shell]
    charset = "gbk" if gbk else "utf-8"
    text = render(article, rng, charset)
    if gbk:
        try:
            return text.encode("gbk"), ext
        except UnicodeEncodeError:  # a character outside GBK: keep the page in UTF-8
            text = render(article, rng, "utf-8")
    return text.encode("utf-8"), ext


def _gold_document(file_name: str, article: Article, **extra) -> dict:
    return {
        "file": file_name,
        "publish_date": article.publish_date.isoformat(),
        "region": article.region.name,
        "targets": article.targets,
        "optional_targets": article.optional_targets,
        "events": article.events,
        "optional_events": article.optional_events,
        "reported": article.reported,
        "optional_reported": [],
        **extra,
    }


# --------------------------------------------------------------------------- the corpus


def gold_path_for(out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    return out_dir.parent / f"{out_dir.name}.gold.json"


def generate_corpus(
    out_dir: str | Path,
    n_documents: int,
    seed: int = 0,
    duplicate_share: float = 0.03,
    gbk_share: float = 0.2,
    *,
    repost_share: float = REPOST_SHARE,
    first_index: int = 0,
) -> Path:
    """Write ``n_documents`` files into ``out_dir`` and their gold file; return the gold file's path.

    ``first_index`` numbers the files from there (file names and each
    document's random stream), so a later batch with the same seed adds new
    documents that do not collide with the first ones.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gold_path = gold_path_for(out_dir)
    ring: deque[tuple[str, bytes, dict, Article]] = deque(maxlen=_RING)
    with open(gold_path, "w", encoding="utf-8") as gold:
        gold.write(json.dumps({"format": GOLD_FORMAT, "note": f"synthetic corpus: ingest.synthetic seed={seed}, "
                               f"{n_documents} documents from index {first_index}"}, ensure_ascii=False)[:-1])  # fmt: skip
        gold.write(', "documents": [\n')
        for index in range(first_index, first_index + n_documents):
            rng = random.Random(seed * 1_000_003 + index)
            roll = rng.random()
            if ring and roll < duplicate_share:
                name, data, gold_doc, _ = ring[rng.randrange(len(ring))]
                file_name = f"{index:07d}_{name.split('_', 1)[1]}"
                record = {**gold_doc, "file": file_name, "duplicate_of": name}
                record.pop("repost_of", None)
            elif ring and roll < duplicate_share + repost_share:
                name, _, gold_doc, article = ring[rng.randrange(len(ring))]
                shell = rng.choice([s for s in SHELLS if s != name.split("_")[1]])
                data, ext = _render(article, shell, rng, rng.random() < gbk_share)
                file_name = f"{index:07d}_{shell}_{article.publish_date:%Y%m%d}.{ext}"
                record = _gold_document(
                    file_name, article, repost_of=gold_doc.get("repost_of", name)
                )
            else:
                article = make_article(rng)
                shell = rng.choice(_PREFERRED_SHELLS[article.kind])
                data, ext = _render(article, shell, rng, rng.random() < gbk_share)
                file_name = f"{index:07d}_{shell}_{article.publish_date:%Y%m%d}.{ext}"
                record = _gold_document(file_name, article)
                ring.append((file_name, data, record, article))
            (out_dir / file_name).write_bytes(data)
            separator = ",\n" if index > first_index else ""
            gold.write(separator + json.dumps(record, ensure_ascii=False))
        gold.write("\n]}\n")
    return gold_path
