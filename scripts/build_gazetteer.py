"""Regenerate extractors/data/regions.tsv (the GB/T 2260 gazetteer) from two registry packages.

Sources (fetched by name from PyPI, inspected with unzip, never installed):
  - cpca 0.5.5 (MIT): cpca/resources/adcodes.csv, 12-digit adcodes with names (2020 snapshot)
  - py-cn-phone-area-code 1.0.5: the area-code table in py_cn_phone_area_code/__init__.py

    pip download --no-deps cpca==0.5.5 py-cn-phone-area-code==1.0.5 -d /tmp/gz
    (cd /tmp/gz && unzip -o -q '*.whl')
    python scripts/build_gazetteer.py /tmp/gz > extractors/data/regions.tsv

Output columns: code, name, level (province/city/district), parent code, short name,
telephone area code (cities, and districts inheriting their city's).
"""
from __future__ import annotations

import ast
import csv
import re
import sys
from pathlib import Path

MUNICIPALITIES = {"11", "12", "31", "50"}
# Cities the area-code source lacks; codes after the 2011-2016 mergers into 024 / 028 / 029.
SUPPLEMENT = {
    "130100": "0311", "210400": "024", "210500": "024", "211200": "024", "460100": "0898",
    "460200": "0898", "460300": "0898", "460400": "0898", "511400": "028", "512000": "028",
    "610400": "029",
}
PROVINCE_SHORT = {
    "新疆维吾尔自治区": "新疆", "广西壮族自治区": "广西", "宁夏回族自治区": "宁夏", "内蒙古自治区": "内蒙古",
    "西藏自治区": "西藏", "香港特别行政区": "香港", "澳门特别行政区": "澳门",
}


def short_name(name: str, level: str) -> str:
    if name in PROVINCE_SHORT:
        return PROVINCE_SHORT[name]
    if name.endswith("自治州"):
        return name[:2]
    if level == "district":
        return ""  # county names are too short and ambiguous to match bare
    m = re.match(r"^(.{2,}?)(省|市|地区|盟)$", name)
    return m.group(1) if m else ""


def area_codes(src: Path) -> dict[str, str]:
    tree = ast.parse(src.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                key = ast.literal_eval(k)
                val = ast.literal_eval(v)
                if isinstance(key, str) and key.startswith("0"):
                    for place in ([val] if isinstance(val, str) else val):
                        out.setdefault(place, key)
    return out


def main(root: str) -> None:
    root_p = Path(root)
    rows = list(csv.DictReader((root_p / "cpca/resources/adcodes.csv").open(encoding="utf-8")))
    codes = area_codes(root_p / "py_cn_phone_area_code/__init__.py")
    regions = []
    for r in rows:
        code = r["adcode"][:6]
        if code.endswith("0000"):
            level, parent = "province", "100000"
        elif code.endswith("00"):
            level, parent = "city", code[:2] + "0000"
        else:
            level = "district"
            parent = code[:4] + "00"
            if code[:2] in MUNICIPALITIES or code[2:4] == "90":
                parent = code[:2] + "0000"
        regions.append((code, r["name"], level, parent))
    area: dict[str, str] = {}
    targets = [(c, n, lv) for c, n, lv, _ in regions
               if lv == "city" or (lv == "province" and c[:2] in MUNICIPALITIES)]
    # exact names first, then a source name that is a prefix of the full name
    for exact in (True, False):
        for place, ac in sorted(codes.items()):
            for code, name, level in targets:
                if code in area:
                    continue
                hit = place in (name, short_name(name, level)) if exact else (len(place) >= 2 and name.startswith(place))
                if hit:
                    area[code] = ac
    area.update({c: ac for c, ac in SUPPLEMENT.items() if c not in area})
    print("code\tname\tlevel\tparent\tshort\tarea_code")
    print("100000\t中华人民共和国\tnational\t\t全国\t")
    for code, name, level, parent in sorted(regions):
        ac = area.get(code) or area.get(parent, "")
        if level == "district" and code[:2] in MUNICIPALITIES:
            ac = area.get(code[:2] + "0000", "")
        print(f"{code}\t{name}\t{level}\t{parent}\t{short_name(name, level)}\t{ac}")


if __name__ == "__main__":
    main(sys.argv[1])
