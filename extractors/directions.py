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

from extractors.offers import part_kind
from extractors.outline import Node, clause_title, own_span
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
    kind = part_kind(title)
    if kind == "directions":  # 征集范围, 需求清单, 专题方向 …
        return True
    pat, neg = _cfg()
    return kind is None and bool(pat.search(title)) and not neg.search(title)


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
    """A section's own text after its heading line (its description before any child section)."""
    a, b = own_span(nodes, i)
    return text[max(a, nodes[i].body[0]):b].strip()

def _item(text: str, n: Node) -> DirectionItem:
    a, b = _trim(text, *n.content)
    title = clause_title(text[slice(*n.heading)]).rstrip("。；;：:")
    return DirectionItem(title, a, b, keywords(text[a:b]))


def _items_under(text: str, nodes: list[Node], k: int, top: bool = True) -> list[DirectionItem]:
    """An enumerated direction and the directions it lists when it is only a title (`（一）科技惠民`
    then `1.医疗卫生…`). A title over titles over items (`（一）市级综合清单` > `1.智慧治理类场景` >
    `（1）…场景`) is a grouping: its items are the directions, not the grouping itself."""
    child = nodes[k]
    if not child.children or _own_body(text, nodes, k):
        return [_item(text, child)]
    listed = [g for g in child.children if not _GENERIC.match(nodes[g].title)]
    if any(nodes[g].children and not _own_body(text, nodes, g) for g in listed):
        return [d for g in listed for d in _items_under(text, nodes, g, top=False)]
    return ([_item(text, child)] if top else []) + [_item(text, nodes[g]) for g in listed]


def topic_sections(text: str, nodes: list[Node], section_ids: list[int], holds_programme) -> list[DirectionItem]:
    """Sections of a programme that are only topics over its nested programmes (`1．提高产业创新能力`
    over `方向1…`, `方向2…`): each is a direction of the programme (GUIDELINES)."""
    return [_item(text, nodes[i]) for i in section_ids
            if part_kind(nodes[i].title) is None and holds_programme(i) and nodes[i].titled]


def _inside(nodes: list[Node], i: int, heads: set[int]) -> bool:
    p = nodes[i].parent
    while p is not None:
        if p in heads:
            return True
        p = nodes[p].parent
    return False


def extract_directions(text: str, nodes: list[Node], section_ids: list[int]) -> list[DirectionItem]:
    """Directions from the programme's direction sections (outline indices)."""
    heads = {i for i in section_ids if is_direction_heading(nodes[i].title)}
    sections = [i for i in sorted(heads) if not _inside(nodes, i, heads)]  # the outermost lists
    enumerated = [i for i in sections if nodes[i].children]
    out: list[DirectionItem] = []
    if enumerated:
        for i in enumerated:
            for k in nodes[i].children:
                out.extend(_items_under(text, nodes, k))
        return out
    for i in sections:
        n = nodes[i]
        paras = []
        pos = n.body[0]
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
