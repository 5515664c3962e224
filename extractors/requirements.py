"""Requirement items: the enumerated lines under 申报要求 / 申报条件 / 征集要求 / 申报限制, and
requirement sentences elsewhere (a minimum investment, an application limit).

A requirement section's items are its children; an item ending in `：` that has children gives
its children instead (`网上提交申报资料时…：（1）…（5）`); a section without items gives its
paragraphs. Lists under procedure (`申报时间及要求`) are steps, not eligibility.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from extractors.amounts import Amount, find_amounts
from extractors.funding import is_payment
from extractors.offers import part_kind
from extractors.outline import Node
from extractors.rules import flat, rules
from extractors.textspan import Cover, clause_around, lines_in, sentences

_INTRO = re.compile(r"(?:须|需|应)?(?:满足|符合|具备|同时具备)(?:下列|以下)(?:[一二两三四五六七八九十\d]+个)?(?:条件|要求)(?:之一)?[：:]?$")
_FULL_STOP = re.compile(r"[。！？!?]")
_CASES_LEAD_IN = re.compile(r"^(?:凡)?(?:有|存在)?(?:下列|以下)情形之一的?[^。]{0,16}[：:]$")
_LEAD_IN = re.compile(r"(?:[，,]?(?:须|需|应|并)?(?:同时)?(?:符合|满足|具备|有)(?:以下|下列)[^，。：:]{0,12}|(?:包括|如下))[：:]$")
# a lead-in announcing focus areas (directions), not conditions
_FOCUS = re.compile(r"(?:重点|领域|方向|行业|产业)[^。，]{0,6}(?:如下|包括|为)[：:]$")
_SENTENCE_PUNCT = re.compile(r"[，。；：,;:]")


@dataclass
class ReqItem:
    start: int
    end: int
    heading: str  # the heading line of the list it came from ("" for a sentence)

    def text(self, text: str) -> str:
        return text[self.start:self.end]


def _cfg() -> dict:
    return flat("sections.toml")


def heading_line(text: str, n: Node) -> str:
    return text[slice(*n.heading)].strip()


def is_requirement_heading(text: str, n: Node) -> bool:
    c = _cfg()
    if c["requirements.not"].search(n.title):
        return False
    line = heading_line(text, n)
    # `申报要求` / `申报要求：` is a heading; `按照放管服改革要求，项目负责人…` is an item that says 要求
    titled = line.rstrip("：: ") == n.title
    if titled and part_kind(n.title) in ("conditions", "materials") and not c["requirements.not"].search(n.title):  # 补贴对象, 申报资料, 返还条件 …
        return True
    return bool((titled and c["requirements.pattern"].search(n.title)) or c["requirements.pattern"].search(line))


def _under(nodes: list[Node], i: int, rx: re.Pattern) -> bool:
    p = nodes[i].parent
    while p is not None:
        if rx.search(nodes[p].title):
            return True
        p = nodes[p].parent
    return False


def _item_span(text: str, nodes: list[Node], i: int) -> tuple[int, int]:
    """An enumerated item: its paragraph, and the paragraphs up to the next item of its list. The
    last item of a list is its own paragraph only: what follows a list is another block (a note
    on the list, a contact line, a table)."""
    n = nodes[i]
    siblings = nodes[n.parent].children if n.parent is not None else [k for k, m in enumerate(nodes) if m.parent is None]
    a, b = n.heading
    if siblings[-1] != i:
        b = nodes[n.children[0]].start if n.children else n.end
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _statements(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The sentences of a paragraph (split at 。！？ only: a `；` list stays one condition), less
    lead-ins that announce a list (`须同时具备以下两个条件：`)."""
    out, pos = [], a
    for m in _FULL_STOP.finditer(text, a, b):
        out.append((pos, m.end()))
        pos = m.end()
    if pos < b:
        out.append((pos, b))
    return [(x, y) for x, y in out if text[x:y].strip() and not is_bare_lead_in(text[x:y].strip())]


def is_bare_lead_in(s: str) -> bool:
    """A line that only announces the items after it (`有下列情形之一的，属于限制申报范围：`,
    `提供的纸质材料包括：`): what is left without the announcing phrase is at most a short subject.
    `专利申请人、专利权人以本市地址申请专利，并符合以下条件之一：` states a condition of its own."""
    if _INTRO.search(s) or _CASES_LEAD_IN.search(s):
        return True
    m = _LEAD_IN.search(s)
    if not m:
        return False
    rest = s[:m.start()].rstrip("，,、 ")
    return len(rest) <= 16 and not re.search(r"[，,；;]", rest)


def _items_of(text: str, nodes: list[Node], i: int) -> list[tuple[int, int]]:
    n = nodes[i]
    out: list[tuple[int, int]] = []
    if not n.children:  # paragraphs: one requirement per sentence that states a condition
        for a, b in lines_in(text, *n.body, trim=True):
            out.extend(_statements(text, a, b))
        return out
    first = nodes[n.children[0]].start
    focus = False
    for a, b in lines_in(text, n.body[0], max(first, n.body[0]), trim=True):  # its own paragraphs first
        out.extend(_statements(text, a, b))
        focus = bool(_FOCUS.search(text[a:b]))
    if focus:  # `企业行业类型符合区产业发展导向，重点如下：` then `1.科创服务业…`: focus areas, not conditions
        return out
    for k in n.children:
        c = nodes[k]
        line = heading_line(text, c)
        if is_requirement_heading(text, c):
            continue  # a sub-list of its own, collected on its own (with its own heading)
        if line.endswith(("：", ":")) and c.children:
            out.extend(_item_span(text, nodes, g) for g in c.children)
        elif not _SENTENCE_PUNCT.search(line) and (c.children or c.body[1] > c.body[0]):
            if c.children and part_kind(c.title) not in ("procedure", "contacts", "funding"):
                out.extend(_items_of(text, nodes, k))  # `（二）工业机器人应用专题申报资料要求` and its list
            continue  # else a sub-section heading (`（二）申报程序` and its text), not an item
        else:  # an item, and the items it enumerates (`（一）有合格的技能大师。` then `1、…`)
            out.append(_item_span(text, nodes, k))
            out.extend(_item_span(text, nodes, g) for g in _descendants(nodes, k))
    return out




def _descendants(nodes: list[Node], i: int) -> list[int]:
    out, stack = [], list(reversed(nodes[i].children))
    while stack:
        k = stack.pop()
        out.append(k)
        stack.extend(reversed(nodes[k].children))
    return out


def requirement_items(text: str, nodes: list[Node], excluded: list[bool],
                      spans: list[tuple[int, int]] | None = None) -> list[ReqItem]:
    """Requirement items of a guide; `spans` are its sentences (the document model's)."""
    c = _cfg()
    found: dict[tuple[int, int], ReqItem] = {}
    for i, n in enumerate(nodes):
        if excluded[i] or _under(nodes, i, c["procedure.pattern"]):
            continue
        if is_requirement_heading(text, n):
            for a, b in _items_of(text, nodes, i):
                found.setdefault((a, b), ReqItem(a, b, heading_line(text, n)))
            continue
        # `申报…项目需满足以下条件：` as a body line, then the numbered items under the node
        stop = nodes[n.children[0]].start if n.children else n.end
        for a, b in lines_in(text, n.body[0], max(stop, n.body[0]), trim=True):
            if _INTRO.search(text[a:b]):
                for k in n.children:
                    if nodes[k].start > b:
                        found.setdefault(_item_span(text, nodes, k), ReqItem(*_item_span(text, nodes, k), text[a:b]))
    items = sorted(found.values(), key=lambda r: r.start)
    return items + requirement_sentences(text, nodes, excluded, items, spans)


def requirement_sentences(text: str, nodes: list[Node], excluded: list[bool], items: list[ReqItem],
                          spans: list[tuple[int, int]] | None = None) -> list[ReqItem]:
    """Sentences outside lists that set a requirement: a bound on a non-paid amount, or a limit."""
    limit = rules("requirements.toml", "limit_sentence")[0]["regex"]
    blocked = [(n.start, n.end) for i, n in enumerate(nodes) if excluded[i]]
    heads = [n.line for n in nodes]
    covered = Cover([(r.start, r.end) for r in items] + blocked + heads)
    out = []
    for a, b in spans if spans is not None else sentences(text, 0, len(text)):
        if a in covered or b - 1 in covered:  # the sentence starts or ends inside a covered range
            continue
        s = text[a:b]
        starts = [a + amt.start for amt in find_amounts(s) if amt.kind in ("floor", "cap")
                  and not is_payment(text, Amount(amt.min_cny, amt.max_cny, amt.kind, a + amt.start, a + amt.end), a, b)]
        m = limit.search(s)
        if m:
            starts.append(a + m.start())
        if starts:
            start, _ = clause_around(text, min(starts), min(starts) + 1, a, b)
            out.append(ReqItem(start, b, ""))
    return out


# a requirement that yields constraints takes its category from the most telling of their fields
FIELD_CATEGORY = [
    ({"partner_count", "local_enterprise_count"}, "consortium"),
    ({"birth_date", "age", "title_level", "degree"}, "personnel"),
    ({"credit_rating"}, "credit"),
    ({"is_high_tech_enterprise"}, "qualification"),
    ({"self_funding_share", "total_investment_cny", "annual_revenue_cny", "expected_revenue_cny"}, "finance"),
    ({"active_project_count"}, "limit"),
    ({"registered_in", "registration_years", "founded_on"}, "applicant"),
]


def categorize(text: str, fields: set[str] | None = None) -> str:
    for names, category in FIELD_CATEGORY:
        if fields and names & fields:
            return category
    for rule in rules("requirements.toml", "category"):
        if rule["regex"].search(text):
            return rule["id"]
    return "other"


_SPACES = re.compile(r"\s+")


def assign_ids(owners: list[tuple[str, list]]) -> None:
    """Give each requirement its stable id (`Requirement.id`): a hash of its owner's name (the
    programme; empty for guide-wide ones) and its text with spaces removed. It does not move when
    other requirements are added, removed or reordered; a repeat under one owner gets `-2`, `-3`."""
    seen: dict[str, int] = {}
    for owner, reqs in owners:
        for r in reqs:
            words = _SPACES.sub("", r.text)
            key = hashlib.sha1(f"{owner}\0{words}".encode("utf-8")).hexdigest()[:8]
            seen[key] = seen.get(key, 0) + 1
            r.id = f"r-{key}" if seen[key] == 1 else f"r-{key}-{seen[key]}"
