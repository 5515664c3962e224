"""What a section of a guide offers an applicant, and which headings name parts of a programme.

GUIDELINES: a programme is found by what its section offers, not by how its heading ends. A
section offers money when a sentence of its own text pays (an amount, a rate, or a paying verb
with a money noun: funding.payment_in), or when one of its funding parts (`补贴标准`, `资助额度`)
pays. Headings such as `申报条件`, `补贴标准`, `申报流程` name parts of a programme; they are never
programmes themselves, and the items under a part are that part's content (a condition, a rate),
unless an item is itself a whole programme card with parts of its own. Rules: data/offers.toml.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from extractors.funding import Payment, amounts_by_regex, payments
from extractors.outline import Node, own_span
from extractors.rules import flat, rules

PROGRAMME_PARTS = ("funding", "conditions", "materials", "procedure")


@lru_cache(maxsize=1)
def _parts() -> list[dict]:
    return rules("offers.toml", "part")


def part_kind(title: str) -> str | None:
    """`funding`, `conditions`, `materials`, `procedure`, `contacts` or `directions` when the
    heading names a part of a programme, else None."""
    t = title.strip().rstrip("：: ")
    for rule in _parts():
        if rule["regex"].search(t):
            return rule["id"]
    return None


def names_an_offer(name: str) -> bool:
    return bool(flat("offers.toml")["offer_name.pattern"].search(name.strip()))


@dataclass
class Offer:
    """What one outline section offers."""

    kind: str | None           # part kind of its heading, None for an ordinary section
    own: list[Payment]         # paying sentences of its own text
    via_parts: list[Payment]   # paying sentences inside its funding parts
    parts: int                 # how many of its children are programme parts

    @property
    def pays(self) -> bool:
        return bool(self.own or self.via_parts)

    @property
    def card(self) -> bool:
        """A programme card: a section laid out in parts of its own (conditions, standard,
        procedure, materials), or paying through a funding part."""
        return bool(self.via_parts) or self.parts >= 2


def section_kinds(nodes: list[Node]) -> list[str | None]:
    """The part kind of every section. `支持政策` is a programme card's funding part when it sits in
    a section; as a chapter of its own (`第二章 支持政策` over 第三条, 第四条 …) it groups measures."""
    kinds = [part_kind(n.title) for n in nodes]
    return [("funding" if n.parent is not None else None) if k == "policies" else k for k, n in zip(kinds, nodes)]


def section_offers(text: str, nodes: list[Node], excluded: list[bool], amounts_in=amounts_by_regex) -> list[Offer]:
    kinds = section_kinds(nodes)
    out = []
    for i, n in enumerate(nodes):
        if excluded[i]:
            out.append(Offer(kinds[i], [], [], 0))
            continue
        own = payments(text, [own_span(nodes, i)], amounts_in=amounts_in)
        via = [p for c in n.children if kinds[c] == "funding" and not excluded[c]
               for p in payments(text, [nodes[c].content], amounts_in=amounts_in)]
        parts = sum(1 for c in n.children if kinds[c] in PROGRAMME_PARTS)
        out.append(Offer(kinds[i], own, via, parts))
    return out


def part_above(nodes: list[Node], kinds: list[str | None], i: int) -> str | None:
    """The kind of the nearest part heading above section i, if any."""
    p = nodes[i].parent
    while p is not None:
        if kinds[p] is not None:
            return kinds[p]
        p = nodes[p].parent
    return None
