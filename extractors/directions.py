"""Support directions of a programme: the enumerated items under 支持方向 / 支持重点 / 征集重点.

When a programme has both a paragraph-only and an enumerated direction section, the enumerated
one wins; paragraphs count only when no direction section has items and there are two or more
(one paragraph is a description, not a list). Items under an item that is only a heading
(`（一）科技惠民` then `1.医疗卫生…`) are directions too, unless their titles are generic
(`目标任务`, `考核指标`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.outline import Node, clause_title
from extractors.rules import load_toml, word_list

_GENERIC = re.compile(r"^(?:目标任务|考核指标|主要内容|研究内容|建设内容|预期目标|绩效目标|任务目标|支持方向)$")


@dataclass
class DirectionItem:
    title: str
    start: int
    end: int
    keywords: list[str]


@lru_cache(maxsize=1)
def _cfg() -> tuple[re.Pattern, re.Pattern]:
    d = load_toml("sections.toml")["directions"]
    return re.compile(d["pattern"]), re.compile(d["not"])


def is_direction_heading(title: str) -> bool:
    pat, neg = _cfg()
    return bool(pat.search(title)) and not neg.search(title)


def keywords(text: str) -> list[str]:
    """Industries and technologies named in `text` (data/industries.txt), longest match first."""
    words = sorted(word_list("industries.txt"), key=len, reverse=True)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for w in words:
        for m in re.finditer(re.escape(w), text):
            if not any(m.start() < b and a < m.end() for a, b in taken):
                taken.append((m.start(), m.end()))
                found.append((m.start(), w))
    out: list[str] = []
    for _, w in sorted(found):
        if w not in out:
            out.append(w)
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _own_body(text: str, nodes: list[Node], i: int) -> str:
    n = nodes[i]
    stop = nodes[n.children[0]].start if n.children else n.end
    return text[n.head_end:stop].strip()


def _item(text: str, n: Node) -> DirectionItem:
    a, b = _trim(text, n.rest_start, n.end)
    title = clause_title(text[n.rest_start:n.head_end]).rstrip("。；;：:")
    return DirectionItem(title, a, b, keywords(text[a:b]))


def extract_directions(text: str, nodes: list[Node], section_ids: list[int]) -> list[DirectionItem]:
    """Directions from the programme's direction sections (outline indices)."""
    sections = [i for i in section_ids if is_direction_heading(nodes[i].title)]
    enumerated = [i for i in sections if nodes[i].children]
    out: list[DirectionItem] = []
    if enumerated:
        for i in enumerated:
            for k in nodes[i].children:
                child = nodes[k]
                out.append(_item(text, child))
                if child.children and not _own_body(text, nodes, k):
                    out.extend(_item(text, nodes[g]) for g in child.children if not _GENERIC.match(nodes[g].title))
        return out
    for i in sections:
        n = nodes[i]
        paras = []
        pos = n.head_end + 1
        for part in text[pos:n.end].split("\n"):
            a, b = _trim(text, pos, pos + len(part))
            while a < b and text[a].isspace():
                a += 1
            if b > a:
                paras.append((a, b))
            pos += len(part) + 1
        if len(paras) >= 2:
            for a, b in paras:
                out.append(DirectionItem(clause_title(text[a:b]), a, b, keywords(text[a:b])))
    return out
