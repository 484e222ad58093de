"""Document-level facts the rows inherit: the issuing body and places named in a clause.

The issuer is the body that signs the document: a labelled 发文机关/制定机关 line, or
the subject of an official title (泉州市人民政府办公室关于印发…的通知).  A place named
as the subject of a clause (晋江市…达到, 福建省…突破) is the region a target or a
reported figure applies to; otherwise the document's region holds.
"""

from __future__ import annotations

import re

from ingest.regions import FUJIAN_CITIES, PROVINCES, QUANZHOU_COUNTIES

_HEAD_CHARS = 3000
_LABELLED = re.compile(
    r"[【\[]?(?:发文机关|制定机关|发布机关|发文单位|发布机构)(?:[】\]]\s*:?|\s*:)[\s|]*"
    r"([\u4e00-\u9fff、()]{2,40}(?: [\u4e00-\u9fff、()]{2,40})*)"
)
_ISSUER_SUFFIX = (
    r"(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|国务院|政府|管委会|管理委员会|"
    r"[厅局部署委办院]|人民代表大会常务委员会|常委会)"
)
# A title's subject: 泉州市人民政府办公室关于…  /  国务院关于…  /  中共泉州市委 泉州市人民政府关于…
_TITLE_ISSUER = re.compile(
    rf"(?:^|\n)\s*((?:中共)?[\u4e00-\u9fff]{{0,20}}?{_ISSUER_SUFFIX}(?:[\s、][\u4e00-\u9fff]{{2,20}}?{_ISSUER_SUFFIX})*)"
    r"\s*关于(?:[^\n《》]|《[^》\n]{1,80}》){2,80}?的(?:实施)?(?:通知|批复|意见|决定|公告|通告|办法|规定)"
)
_ADMIN_UNIT = re.compile(
    r"(?:中共)?([\u4e00-\u9fff]{2,7}?(?:自治区|自治州|省|市|县|区|旗|州))(?=人民政府|委员会|政府|委|办公|[\u4e00-\u9fff]{0,6}[厅局])"
)

# A place named as a clause's subject.  Generic words ending in 区/市/县 are not places.
_PLACE = re.compile(
    r"(?<![全我本该各省市县区级])((?:[\u4e00-\u9fff]{2,4}?(?:省|市|县|自治州|自治县))"
    r"(?:[\u4e00-\u9fff]{2,4}?(?:市|县|区)){0,2}"
    r"|[\u4e00-\u9fff]{2,3}(?:国家高新区|高新区|开发区|新区|经开区|台商投资区))"
    r"(?![级委场民内外直属长场政属辖域首重队])"
)
_UNIT_SPLIT = re.compile(r".+?(?:自治州|自治县|省|市|县|区)|.+$")
_KNOWN_NAMES = sorted(set(PROVINCES + FUJIAN_CITIES + QUANZHOU_COUNTIES), key=len, reverse=True)
_KNOWN_PLACE = re.compile("(?:" + "|".join(_KNOWN_NAMES) + ")")
_KNOWN_SUBJECT = re.compile("(" + "|".join(_KNOWN_NAMES) + ")(?=[有已共实累新全将力在])")
_CLAUSE_LEAD = re.compile(
    r"(?:[\s、“”\"]|(?:19|20)\d{2}\s*年(?:底|末)?|今年|去年|目前|截至|截止|近年来|同时|此外|其中|在|由|力争|争取|到)*"
)
_PREPOSITION = re.compile(r"^(?:按照|根据|依据|围绕|在|由|对|从|向|为|据|经|与|和|及|让|使|将|把|被|同)")
_NOT_IN_PLACE = re.compile(r"[全我本该各年月日的在和与及其前后内外上下共有为是了]")
_NOT_PLACE = re.compile(r"(?:城市|都市|超市|上市|股市|城区|园区|社区|景区|片区|街区|山区|地区|城县)$")
_NOT_PLACE_START = re.compile(
    r"^(?:城市|全|我|本|该|各|区域|重点|示范|试点|开发|创新|省级|市级|县级|省市|市县|培育|建设|打造|推进|推动|发展|支持|新增"
    r"|引进|实施|加快|创建|争创|认定|组织|开展|举办|设立|新建|扶持|鼓励|服务|面向|覆盖|带动|辐射|所有|每个|多个|一个|整)"
)


def document_issuer(normalised: str) -> str | None:
    """The body that issued the document, from its head (labelled line or official title)."""
    head = normalised[:_HEAD_CHARS]
    labelled = _LABELLED.search(head)
    if labelled:
        return labelled.group(1).strip()
    title = _TITLE_ISSUER.search(head)
    if title and not _inside_quote(head, title.start(1)):
        return re.sub(r"\s+", " ", title.group(1).strip())
    return None


def _inside_quote(text: str, position: int) -> bool:
    return text.rfind("《", 0, position) > text.rfind("》", 0, position)


def region_of_issuer(issuer: str | None) -> str | None:
    """泉州市人民政府办公室 → 泉州市; 国务院 → None (the whole country is no region row)."""
    if not issuer:
        return None
    match = _ADMIN_UNIT.search(issuer)
    return match.group(1) if match else None


def clause_place(text: str) -> str | None:
    """A place named in a clause (晋江市…, 泉州国家高新区…), or None.

    A place counts when it is a known name (ingest.regions' gazetteer) or stands
    at the head of the clause as its subject; 省首台(套) or “民营经济大市” do not.
    """
    lead = _CLAUSE_LEAD.match(text).end()
    for match in _PLACE.finditer(text):
        # 福建省泉州市丰泽区 → the most local unit that is a place name, 丰泽区
        for name in reversed(_UNIT_SPLIT.findall(_PREPOSITION.sub("", match.group(1)))):
            if len(name) < 3 or _NOT_PLACE.search(name) or _NOT_PLACE_START.match(name) or _NOT_IN_PLACE.search(name):
                continue
            if match.start() == lead or _KNOWN_PLACE.match(name):
                return name
    bare = _KNOWN_SUBJECT.match(text, lead)
    return bare.group(1) if bare else None
