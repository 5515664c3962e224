"""Which outline sections are programmes, their names, nesting and categories.

A section is a programme when its cleaned heading ends like a programme name (专项, 计划, 工程,
项目, 基金, 类 …), it is not procedure, a form or a condition list (nor inside one), and it has
funding-line structure: a child heading such as 支持方向 / 资助形式 / 申报要求, an amount paid in
its own text, or programmes nested under it. Rules: data/programs.toml, data/categories.toml.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors.funding import amounts_by_regex
from extractors.gazetteer import load as load_gazetteer
from extractors.offers import PROGRAMME_PARTS, names_an_offer, part_above, part_kind, section_offers
from extractors.outline import Node, flag_subtrees, own_span
from extractors.rules import flat, rules


@dataclass
class FoundProgram:
    node: int | None   # index into the outline (None: a call for one thing, the whole body)
    name: str
    name_span: tuple[int, int]
    category: str
    parent: int | None  # index into the list of programmes
    start: int         # the programme's section
    end: int
    also: list[tuple[int, int]] = field(default_factory=list)  # its sections under other chapters


def _cfg() -> dict:
    return flat("programs.toml")


def clean_name(heading: str) -> tuple[str, int, int]:
    """Strip plan year, region and 申报指南 from a guide-title heading (`2024年西宁市重大科技专项申报指南`
    -> 重大科技专项); return (name, start, end) within it. A heading with no year or 申报指南 to strip
    keeps its region (`内江市返乡入乡农民工创业补贴` is the programme's name as written)."""
    c = _cfg()
    start, end = 0, len(heading)
    s = heading
    wrapped = False
    before_region = None

    def cut_front(m):
        nonlocal start, wrapped
        if m and m.end() > 0:
            start += m.end()
            wrapped = True
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
            before_region = start if before_region is None else before_region
            start += mentions[0].end
            changed = True
    s = heading[start:end]
    for key in ("name.strip_suffix", "name.demand_suffix"):
        m = c[key].search(s)
        if m and m.start() > 1:
            end = start + m.start()
            s = heading[start:end]
            wrapped = wrapped or key == "name.strip_suffix"
    if before_region is not None and not wrapped:
        start = before_region
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


def _has_signals(text: str, nodes: list[Node], i: int) -> bool:
    c = _cfg()
    for k in nodes[i].children:
        if c["signals.child"].search(nodes[k].title):
            return True
    own = text[slice(*own_span(nodes, i))]
    return bool(c["signals.amount"].search(own) and c["signals.pay"].search(own))


def find_programs(text: str, nodes: list[Node], guide_title: str, body_start: int = 0,
                  amounts_in=amounts_by_regex) -> list[FoundProgram]:
    """Programmes of a guide: sections that offer something (offers.py), the sections holding
    them when those read as programmes themselves, and for a call for one thing that offers its
    single programme from no section of its own, one programme named from the title."""
    c = _cfg()
    excluded = flag_subtrees(nodes, lambda n: c["exclude_subtree.pattern"].search(n.title))
    offers = section_offers(text, nodes, excluded, amounts_in)
    kinds = [o.kind for o in offers]
    names = {}
    for i, n in enumerate(nodes):
        if excluded[i] or kinds[i] is not None or (n.parent is not None and excluded[n.parent]):
            continue
        name, a, b = clean_name(n.title)
        if len(name) >= 2 and not c["exclude.pattern"].search(name):
            names[i] = (name, a, b)
    is_prog = [False] * len(nodes)
    recurring = _recurring(nodes, names)
    for first, others in recurring.items():
        is_prog[first] = True
        for k in others:
            names.pop(k, None)
    for i in range(len(nodes) - 1, -1, -1):  # bottom-up: children are decided first
        if is_prog[i]:
            continue
        if i not in names:
            continue
        o = offers[i]
        above = part_above(nodes, kinds, i)
        offering = o.card if above in PROGRAMME_PARTS else (o.pays or o.card)
        named = name_ok(names[i][0]) and (_has_signals(text, nodes, i) or _subtree_has(nodes, is_prog, i))
        is_prog[i] = offering or named
    for i, n in enumerate(nodes):  # a list of project types inside a programme (`1. 创新型产业集群项目。`)
        kids = [k for k in n.children if k in names and _names_a_type(text, nodes[k], names[k][0])]
        if is_prog[i] and len(kids) >= 2:
            for k in kids:
                is_prog[k] = True
    for i in range(len(nodes)):  # a section holding programmes, itself an item among programmes
        holds = _subtree_has(nodes, is_prog, i)
        if i in names and not is_prog[i] and (
                (_sibling_is(nodes, is_prog, i) and (holds or names_an_offer(names[i][0])))
                or (holds and _restates_heading(text, nodes, i))):
            is_prog[i] = True
    found: list[FoundProgram] = []
    index_of: dict[int, int] = {}
    for i, n in enumerate(nodes):
        if not is_prog[i]:
            continue
        name, a, b = names[i]
        parent = n.parent
        while parent is not None and not is_prog[parent]:
            parent = nodes[parent].parent
        title_at = text.find(n.title, *n.heading)
        base = title_at if title_at >= 0 else n.heading[0]
        index_of[i] = len(found)
        found.append(FoundProgram(i, name, (base + a, base + b), categorize(name, guide_title),
                                  index_of.get(parent) if parent is not None else None, n.start, n.end,
                                  [(nodes[k].start, nodes[k].end) for k in recurring.get(i, [])]))
    for fp in found:  # a nested item whose name says nothing takes its parent's category
        if fp.category == "other" and fp.parent is not None:
            fp.category = found[fp.parent].category
    if not found:
        single = single_call(text, nodes, guide_title, body_start)
        if single is not None:
            found.append(single)
    return found


def _names_a_type(text: str, n: Node, name: str) -> bool:
    """An item whose heading is only a programme-like name (`创新型产业集群项目。`, `（一）面上项目`)."""
    head = text[slice(*n.heading)].strip().rstrip("。.：:")
    return head == name and name_ok(name) and len(name) <= 16


def _recurring(nodes: list[Node], names: dict) -> dict[int, list[int]]:
    """Programmes laid out by chapter (`二、申报组织 （一）面上项目 … 三、支持方式 （一）面上项目 …`): a
    programme-like name that heads a section under two or more different chapters is one programme,
    anchored at its first section, whose other sections are its own text too."""
    by_name: dict[str, list[int]] = {}
    for i, (name, _, _) in sorted(names.items()):
        if nodes[i].parent is not None and name_ok(name):
            by_name.setdefault(name, []).append(i)
    out = {}
    for found in by_name.values():
        chapters = {_chapter(nodes, i) for i in found}
        if len(found) >= 2 and len(chapters) >= 2 and len(chapters) == len(found):
            out[found[0]] = found[1:]
    return out


def _chapter(nodes: list[Node], i: int) -> int:
    while nodes[i].parent is not None:
        i = nodes[i].parent
    return i


def _restates_heading(text: str, nodes: list[Node], i: int) -> bool:
    """A section whose first line says its heading again (`1. 北京市高精尖产业发展资金实施指南` then
    `北京市高精尖产业发展资金实施指南`): a document of its own inside a compilation, a policy card."""
    n = nodes[i]
    nxt = text[n.body[0]:].lstrip("\n").split("\n", 1)[0].strip()
    title = n.title.strip()
    if len(nxt) < 4 or any(c in nxt for c in "，。；：,;:"):
        return False
    return nxt == title or (len(nxt) >= 6 and title.endswith(nxt)) or (len(title) >= 6 and nxt.endswith(title))


def _sibling_is(nodes: list[Node], flags: list[bool], i: int) -> bool:
    p = nodes[i].parent
    siblings = nodes[p].children if p is not None else [k for k, n in enumerate(nodes) if n.parent is None]
    return any(flags[k] for k in siblings if k != i)


def single_call(text: str, nodes: list[Node], guide_title: str, body_start: int) -> FoundProgram | None:
    """A call for one thing (`关于开展…遴选工作的通知`): one programme named by the shortest
    phrase of the title that says what is applied for. None for a document that calls for
    nothing (no call word in its title and no section saying who may apply)."""
    c = _cfg()
    conditions = any(part_kind(n.title) == "conditions" for n in nodes)
    if not guide_title or c["call.not"].search(guide_title) or not (c["call.pattern"].search(guide_title) or conditions):
        return None
    name, a, b = call_name(guide_title)
    if len(name) < 2:
        return None
    at = text.find(guide_title)
    base = at if at >= 0 else 0
    return FoundProgram(None, name, (base + a, base + b), categorize(name, guide_title), None,
                        base if at >= 0 else body_start, len(text))


def call_name(title: str) -> tuple[str, int, int]:
    """What a call's title says is applied for, without issuer, wrapper, year or region:
    `关于组织申报广东省2017年高新技术产品认定的通知` -> 高新技术产品认定."""
    c = _cfg()
    start, end = 0, len(title)
    about = title.find("关于")
    if about >= 0:
        start = about + 2
    changed = True
    while changed:
        changed = False
        rest = title[start:end]
        m = c["call.tail"].search(rest)
        if m and m.start() > 0:
            end = start + m.start()
            changed = True
            continue
        m = c["call.head"].match(rest)
        if m and m.end() > 0 and m.end() < len(rest):
            start += m.end()
            changed = True
            continue
        name, a, b = clean_name(rest)
        if (a, b) != (0, len(rest)) and b > a:
            start, end = start + a, start + b
            changed = True
    return title[start:end], start, end


def _subtree_has(nodes: list[Node], flags: list[bool], i: int) -> bool:
    stack = list(nodes[i].children)
    while stack:
        k = stack.pop()
        if flags[k]:
            return True
        stack.extend(nodes[k].children)
    return False
