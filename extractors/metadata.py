"""Guide-level metadata: title, plan year, issuer, issue date and region."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from extractors.gazetteer import Gazetteer, Place, load
from extractors.rules import flat
from extractors.outline import match_numbered
from extractors.textspan import line_spans


@dataclass
class Meta:
    title: str
    title_span: tuple[int, int]
    year: int | None
    issuer: str | None
    issued: date | None
    region: Place | None


def _rules() -> dict:
    return flat("metadata.toml")


def find_title(text: str) -> tuple[int, int]:
    r = _rules()
    lines = [(a, b) for a, b in line_spans(text) if b > a and not r["title.skip"].match(text[a:b])]
    if not lines:
        return 0, 0
    for a, b in lines[: r["title.window"]]:
        line = text[a:b]
        if (r["title.pattern"].search(line) and b - a <= 120 and match_numbered(line) is None
                and not line.rstrip().endswith(("：", ":"))):
            tag = _REPOST_TAG.match(line)  # `【市级】关于…的通知`: a repost's tag is not the title
            return (a + tag.end(), b) if tag and tag.end() < len(line) else (a, b)
    return lines[0]


def plan_year(title: str, text: str) -> int | None:
    r = _rules()
    m = r["year.title"].search(title) or r["year.body"].search(text[:3000])
    if m:
        return int(m.group(1))
    for a, b in line_spans(text[:600]):  # `二〇二四年` alone in the front matter
        if r["year.cn_line"].match(text[a:b].strip()):
            return int(text[a:b].strip()[:4].translate(_CN_DIGITS))
    return None


_REPOST_TAG = re.compile(r"^\s*【[^】]{1,12}】\s*")
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def find_issuer(text: str, front_end: int) -> tuple[str | None, date | None]:
    """An issuing body and date standing alone in the front matter or the closing lines."""
    r = _rules()
    lines = line_spans(text)
    front = [(a, b) for a, b in lines if b <= front_end]
    back = [(a, b) for a, b in lines if a >= front_end][-6:]
    issuer, issued = None, None
    block = front + back
    for k, (a, b) in enumerate(block + lines):  # the signature block, else the first date line alone
        s = text[a:b].strip()
        if issuer is None and k < len(block) and r["issuer.pattern"].match(s):
            issuer = s
        m = r["issued.pattern"].match(s)
        if issued is None and m:
            try:
                issued = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                pass
    return issuer, issued


def _most_specific(gz: Gazetteer, s: str) -> Place | None:
    mentions = gz.scan(s)
    if not mentions:
        return None
    rank = {"district": 0, "city": 1, "province": 2, "national": 3}
    best = min(mentions, key=lambda m: (rank[m.place.level], m.start))
    place = best.place
    return place


def find_region(text: str, title: str, issuer: str | None) -> Place | None:
    """The issuer's region wins, then the title's, then the places the text is about."""
    r = _rules()
    gz = load()
    if (issuer and r["national.issuer"].match(issuer)) or r["national.title"].search(title or ""):
        return gz.get("100000")
    for s in (issuer, title):
        if s:
            place = _most_specific(gz, s)
            if place:
                return place
    cities: Counter = Counter()
    provinces: Counter = Counter()
    for m in gz.scan(text):
        p = m.place
        if p.level == "province":
            provinces[p.code] += 1
        elif p.city_code:
            cities[p.city_code] += 1
            provinces[p.province_code] += 0  # a province is in play when its cities are
    if not cities and not provinces:
        return None
    city_level = len(r["level.city"].findall(text))
    prov_level = len(r["level.province"].findall(text))
    if cities:
        top, n = cities.most_common(1)[0]
        total = sum(cities.values())
        if (n >= 2 and n >= 0.5 * total and city_level >= prov_level / 2) or (len(cities) == 1 and city_level >= 1):
            return gz.get(top)  # the one city named, when the text speaks through a city body (报送至市经信局)
    by_prov: Counter = Counter()
    for code, n in cities.items():
        by_prov[code[:2] + "0000"] += n
    for code, n in provinces.items():
        by_prov[code] += n
    code, _ = by_prov.most_common(1)[0]
    return gz.get(code)


def extract_meta(text: str) -> Meta:
    a, b = find_title(text)
    title = text[a:b].strip()
    issuer, issued = find_issuer(text, _front_end(text, b))
    return Meta(title, (a, b), plan_year(title, text), issuer, issued, find_region(text, title, issuer))


def _front_end(text: str, title_end: int) -> int:
    """The front matter runs to the first line with sentence punctuation after the title."""
    pos = title_end
    for a, b in line_spans(text):
        if a <= title_end:
            continue
        if re.search(r"[，。；：,;:]", text[a:b]) or len(text[a:b]) > 40:
            return a
        pos = b
    return pos
