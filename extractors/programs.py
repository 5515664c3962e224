"""Which outline sections are programmes, their names, nesting and categories.

A section is a programme when its cleaned heading ends like a programme name (专项, 计划, 工程,
项目, 基金, 类 …), it is not procedure, a form or a condition list (nor inside one), and it has
funding-line structure: a child heading such as 支持方向 / 资助形式 / 申报要求, an amount paid in
its own text, or programmes nested under it. Rules: data/programs.toml, data/categories.toml.
"""
from __future__ import annotations

from dataclasses import dataclass

from extractors.gazetteer import load as load_gazetteer
from extractors.outline import Node, flag_subtrees
from extractors.rules import flat, rules


@dataclass
class FoundProgram:
    node: int          # index into the outline
    name: str
    name_span: tuple[int, int]
    category: str
    parent: int | None  # index into the list of programmes


def _cfg() -> dict:
    return flat("programs.toml")


def clean_name(heading: str) -> tuple[str, int, int]:
    """Strip plan year, region and 申报指南 from a heading; return (name, start, end) within it."""
    c = _cfg()
    start, end = 0, len(heading)
    s = heading

    def cut_front(m):
        nonlocal start
        if m and m.end() > 0:
            start += m.end()
            return True
        return False

    changed = True
    while changed:
        changed = False
        rest = heading[start:end]
        lead = len(rest) - len(rest.lstrip(" 　“\"‘"))
        if lead:
            start += lead
            changed = True
            continue
        if cut_front(c["name.strip_prefix"].match(rest)) or cut_front(c["name.strip_level"].match(rest)):
            changed = True
            continue
        mentions = load_gazetteer().scan(rest[:12])
        if mentions and mentions[0].start == 0 and mentions[0].place.level != "district":
            start += mentions[0].end
            changed = True
    s = heading[start:end]
    for key in ("name.strip_suffix", "name.demand_suffix"):
        m = c[key].search(s)
        if m and m.start() > 1:
            end = start + m.start()
            s = heading[start:end]
    trail = len(s) - len(s.rstrip(" 　”\"’"))
    end -= trail
    return heading[start:end], start, end


def name_ok(name: str) -> bool:
    c = _cfg()
    return (2 <= len(name) <= c["name.max_chars"] and bool(c["name.pattern"].search(name))
            and not c["exclude.pattern"].search(name))


def categorize(name: str, guide_title: str) -> str:
    for rule in rules("categories.toml", "context"):
        if rule["regex"].search(guide_title):
            return rule["id"]
    for rule in rules("categories.toml", "category"):
        if rule["regex"].search(name):
            return rule["id"]
    return "other"


def _own_text(text: str, nodes: list[Node], i: int) -> str:
    """The section's text before its first child heading."""
    n = nodes[i]
    stop = nodes[n.children[0]].start if n.children else n.end
    return text[n.rest_start:stop]


def _has_signals(text: str, nodes: list[Node], i: int) -> bool:
    c = _cfg()
    for k in nodes[i].children:
        if c["signals.child"].search(nodes[k].title):
            return True
    own = _own_text(text, nodes, i)
    return bool(c["signals.amount"].search(own) and c["signals.pay"].search(own))


def find_programs(text: str, nodes: list[Node], guide_title: str) -> list[FoundProgram]:
    c = _cfg()
    excluded = flag_subtrees(nodes, lambda n: c["exclude_subtree.pattern"].search(n.title))
    candidate = {}
    for i, n in enumerate(nodes):
        if excluded[i] or (n.parent is not None and excluded[n.parent]):
            continue
        name, a, b = clean_name(n.title)
        if name_ok(name):
            candidate[i] = (name, a, b)
    # bottom-up: a candidate is a programme with signals, or with programmes under it
    is_prog = [False] * len(nodes)
    for i in range(len(nodes) - 1, -1, -1):
        if i in candidate:
            is_prog[i] = _has_signals(text, nodes, i) or any(_subtree_has(nodes, is_prog, k) for k in nodes[i].children)
    found: list[FoundProgram] = []
    index_of: dict[int, int] = {}
    for i, n in enumerate(nodes):
        if not is_prog[i]:
            continue
        name, a, b = candidate[i]
        parent = n.parent
        while parent is not None and not is_prog[parent]:
            parent = nodes[parent].parent
        title_at = text.find(n.title, n.rest_start, n.head_end)
        base = title_at if title_at >= 0 else n.rest_start
        index_of[i] = len(found)
        found.append(FoundProgram(i, name, (base + a, base + b), categorize(name, guide_title),
                                  index_of.get(parent) if parent is not None else None))
    return found


def _subtree_has(nodes: list[Node], flags: list[bool], i: int) -> bool:
    return flags[i] or any(_subtree_has(nodes, flags, k) for k in nodes[i].children)
