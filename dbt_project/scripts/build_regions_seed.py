"""Regenerate seeds/regions.csv from a gazetteer package's official division codes.

Source: the ``adcodes.csv`` resource of the PyPI package ``cpca`` (0.5.5, MIT
licence, https://github.com/DQinYuan/chinese_province_city_area_mapper), which
lists the 12-digit statistical division codes (行政区划代码) of China's
provinces, prefecture-level cities and county-level divisions with their names.
English names are the pinyin of the short name (package ``pypinyin``, MIT).
Neither package is a project dependency: download them, then run this once::

    pip download --no-deps -d /tmp/gaz cpca pypinyin
    (cd /tmp/gaz && unzip -o -q 'cpca-*.whl' -d cpca && unzip -o -q 'pypinyin-*.whl' -d pyp)
    PYTHONPATH=/tmp/gaz/pyp python dbt_project/scripts/build_regions_seed.py \
        /tmp/gaz/cpca/cpca/resources/adcodes.csv /tmp/gaz/cpca/cpca/resources/56_nations.csv

The seed keeps the 6-digit code, level (province | city | county), parent and
ancestors (province → city → county), a short name (泉州市 → 泉州) for matching
name variants, and the centroid the package gives.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

SEED = Path(__file__).resolve().parent.parent / "seeds" / "regions.csv"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
MUNICIPALITIES = {"11", "12", "31", "50"}
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "盟", "区", "县", "旗")


def short_name(name: str, nations: list[str]) -> str:
    stem = name
    for suffix in SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    if name.endswith(("自治区", "自治州", "自治县", "自治旗")):
        # 黔东南苗族侗族自治州 -> 黔东南; 广西壮族自治区 -> 广西
        changed = True
        while changed:
            changed = False
            for nation in nations:
                if stem.endswith(nation) and len(stem) > len(nation):
                    stem, changed = stem[: -len(nation)], True
        stem = re.sub(r"族$", "", stem)
    return stem if len(stem) >= 2 else name


def english(short: str) -> str:
    return "".join(lazy_pinyin(short)).title()


def main(adcodes: str, nations_csv: str) -> None:
    nations = sorted(
        (line.strip() for line in Path(nations_csv).read_text(encoding="utf-8").splitlines() if line.strip()),
        key=len,
        reverse=True,
    )
    rows = {}
    with open(adcodes, encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            code, name = record["adcode"][:6], record["name"].strip()
            if name in PLACEHOLDERS:
                continue
            rows[code] = (name, record["longitude"], record["latitude"])
    out = []
    for code, (name, lon, lat) in sorted(rows.items()):
        province = code[:2] + "0000"
        if code.endswith("0000"):
            level, parent, city = "province", None, None
        elif code.endswith("00"):
            level, parent, city = "city", province, code
        else:
            level = "county"
            city = code[:4] + "00" if code[:4] + "00" in rows else None
            parent = city or province
        short = short_name(name, nations)
        out.append({
            "region_code": code,
            "region_name": name,
            "short_name": short,
            "name_en": english(short),
            "region_level": level,
            "parent_code": parent or "",
            "province_code": province,
            "city_code": city or "",
            "is_municipality": str(code[:2] in MUNICIPALITIES).lower(),
            "longitude": lon,
            "latitude": lat,
        })  # fmt: skip
    with open(SEED, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(out[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    print(f"wrote {len(out)} regions to {SEED}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
