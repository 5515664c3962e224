"""Deadlines (dates and times with a kind) and application channels (systems, URLs).

`2023年5月15日上午9:00至2023年7月14日下午17:00` in a sentence about applying is the submission
window (open and close); `6月15日18:00截止` takes the year the text implies (issue year, else plan
year); `2024年9月2日24:00` becomes `2024-09-02T23:59:59`. Dates about eligibility (`…以后出生`,
`…以后授权`) are not deadlines. Rules: data/deadlines.toml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from extractors.rules import load_toml, rules
from extractors.textspan import Cover, clause_around, sentences


_TIME_COLON = re.compile(r"(?<=\d)[:：](?=\d)")


@dataclass(frozen=True)
class DeadlineItem:
    kind: str
    at: str
    start: int
    end: int


@dataclass(frozen=True)
class ChannelItem:
    name: str | None
    url: str | None
    start: int
    end: int


@lru_cache(maxsize=1)
def _cfg() -> dict:
    d = load_toml("deadlines.toml")["date"]
    point = d["date"] + d["time"]
    numeric = r"(?<!\d)(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?!\d)" + d["time"]
    return {
        "point": re.compile(point),
        "numeric": re.compile(numeric),
        "range": re.compile(_rename(point, "1") + d["range_sep"] + _rename(point, "2")),
        "not": re.compile(d["not_deadline"]),
        "window": re.compile(d["window"]),
        "cue": re.compile(d["cue"]),
        "before": re.compile(d["before"]),
        "until": re.compile(d["until"]),
    }


def _rename(pattern: str, suffix: str) -> str:
    return re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m.group(1)}{suffix}>", pattern)


def _at(g: dict, sfx: str, default_year: int | None, fallback_year: int | None = None) -> str | None:
    y = g.get(f"y{sfx}") or fallback_year or default_year
    if not y:
        return None
    try:
        day = date(int(y), int(g[f"m{sfx}"]), int(g[f"d{sfx}"]))
    except ValueError:
        return None
    h = g.get(f"h{sfx}")
    if h is None:
        return day.isoformat()
    h = int(h)
    mi = int(g.get(f"mi{sfx}") or g.get(f"mi2{sfx}") or 0)
    if g.get(f"ampm{sfx}") in ("下午", "晚上", "晚") and h < 12:
        h += 12
    if h == 24 and mi == 0:
        return f"{day.isoformat()}T23:59:59"
    if not (0 <= h < 24 and 0 <= mi < 60):
        return day.isoformat()
    return f"{day.isoformat()}T{h:02d}:{mi:02d}"


def _kind(context: str) -> str | None:
    for rule in rules("deadlines.toml", "kind"):
        if rule["regex"].search(context):
            return rule["id"]
    return None


def date_spans(text: str) -> list[tuple[int, int]]:
    """Every written date of `text` (`2024年5月31日 17:00`, `6月15日`, `2023-10-25`): the DATE
    entities of the entity pass, and the only dates deadlines are read from."""
    c = _cfg()
    return sorted((m.start(), m.end()) for rx in (c["point"], c["numeric"]) for m in rx.finditer(text))


def extract_deadlines(text: str, year: int | None, blocked: list[tuple[int, int]] = (),
                      heading_at=lambda pos: "", dates: list[tuple[int, int]] | None = None,
                      spans: list[tuple[int, int]] | None = None) -> list[DeadlineItem]:
    """Dates of the application process in `text`. `heading_at(pos)` gives the heading of the
    section holding a position: a date standing alone under `系统审核时间` takes its kind from it.
    `dates` are the DATE entities of the text; a date that is not one is not read. `spans` are the
    text's sentences (the document model's, else split here)."""
    c = _cfg()
    known = {a for a, _ in dates} if dates is not None else None
    out: list[DeadlineItem] = []
    blocked = Cover(blocked)
    for sa, sb in spans if spans is not None else sentences(text, 0, len(text)):
        if sa in blocked:
            continue
        s = text[sa:sb]
        clauses = _TIME_COLON.sub("∶", s)  # `17:00` holds no clause break (same length, offsets kept)
        taken: list[tuple[int, int]] = []
        for m in c["range"].finditer(s):
            g = m.groupdict()
            first = _at(g, "1", year)
            second = _at(g, "2", year, fallback_year=int(g["y1"]) if g.get("y1") else None)
            taken.append((m.start(), m.end()))
            if known is not None and sa + m.start() not in known:
                continue
            if not first or not second or c["not"].search(s[:m.start()][-12:] + s[m.end():m.end() + 12]):
                continue
            a, b = clause_around(clauses, m.start(), m.end())
            label = s[:m.start()] if clauses[a - 1:a] in ("：", ":") or a == 0 else s[a:b]
            context = label + (heading_at(sa) if not label.strip(" ：:") else "")
            kind = _kind(context)
            if kind is None and c["window"].search(context or s):
                out.append(DeadlineItem("submission_open", first, sa + m.start(), sa + m.end()))
                out.append(DeadlineItem("submission_close", second, sa + m.start(), sa + m.end()))
            elif kind is not None:  # a window of one step of the process: the step's deadline
                out.append(DeadlineItem(kind, second, sa + m.start(), sa + m.end()))
        points = sorted([m for rx in (c["point"], c["numeric"]) for m in rx.finditer(s)
                         if not any(a <= m.start() < b for a, b in taken)
                         and (known is None or sa + m.start() in known)], key=lambda m: m.start())
        for idx, m in enumerate(points):
            at = _at(m.groupdict(), "", year)
            if not at:
                continue
            a, b = clause_around(clauses, m.start(), m.end())
            if a > 0 and clauses[a - 1] in "：:":  # `申报截止时间：2024年5月31日`: the label is the context
                a, _ = clause_around(clauses, a - 1, a - 1)
            lo = points[idx - 1].end() if idx else 0
            hi = points[idx + 1].start() if idx + 1 < len(points) else len(s)
            context = s[max(a, lo):min(b, hi)]
            if c["not"].search(context) or not c["cue"].search(context):
                continue
            kind = _kind(context)
            whole = _kind(s)
            if kind in (None, "submission_close", "submission_open") and whole not in (
                    None, "submission_close", "submission_open"):
                kind = whole  # `企业的书面申报材料…截止时间为…`: the sentence says which step closes
            kind = kind or whole or ("submission_close" if c["before"].search(s[m.end():m.end() + 10])
                                                  and c["window"].search(s) else "other")
            if kind in (None, "other", "submission_open") and c["until"].search(s[max(0, m.start() - 3):m.start()]) \
                    and (c["window"].search(s) or "即日" in s):
                kind = "submission_close"  # `即日起至2025年6月30日`: the date a window closes
            if kind == "submission_open" and not c["window"].search(s):
                continue  # `自2021年4月1日起，…`: a policy taking effect, not a call opening
            out.append(DeadlineItem(kind, at, sa + m.start(), sa + m.end()))
    return out


_URL = re.compile(r"https?://[^\s，。；、）)\"”]+")
_SYSTEM = re.compile(r"[“\"「]([^”\"」]{2,40}?(?:系统|平台|网站|服务平台|管理平台))[”\"」]"
                     r"|(?:登录|通过|进入|登陆)(?P<bare>[\u4e00-\u9fff]{4,30}?(?:系统|平台))")


def extract_channels(text: str, blocked: list[tuple[int, int]] = (),
                     spans: list[tuple[int, int]] | None = None) -> list[ChannelItem]:
    """Online systems and URLs where applications are made, each named once."""
    out: list[ChannelItem] = []
    seen: set[str] = set()
    blocked = Cover(blocked)
    for a, b in spans if spans is not None else sentences(text, 0, len(text)):
        if a in blocked:
            continue
        s = text[a:b]
        names = [(m.group(1), m.start(1), m.end(1)) if m.group(1) else (m.group("bare"), m.start("bare"), m.end("bare"))
                 for m in _SYSTEM.finditer(s)]
        urls = [(m.group(0).rstrip(".,/") + ("/" if m.group(0).endswith("/") else ""), m.start(), m.end())
                for m in _URL.finditer(s)]
        for name, ns, ne in names:
            if name in seen:
                continue
            seen.add(name)
            url = urls[0] if len(urls) == 1 else None
            end = max(ne, url[2]) if url else ne
            if url:
                seen.add(url[0])
            out.append(ChannelItem(name, url[0] if url else None, a + min(ns, url[1] if url else ns), a + end))
        for url, us, ue in urls:
            if url not in seen:
                seen.add(url)
                out.append(ChannelItem(None, url, a + us, a + ue))
    return out
