"""The document model every field extractor shares: a guide parsed once.

    doc = GuideDoc.parse(text, body_start)      # lines, outline, excluded sections
    doc.set_programs(find_programs(...))        # programme sections and their own text
    doc.owner_at(pos)                           # which programme an item at `pos` belongs to

Spans are absolute offsets into `text` everywhere. Which programme owns an item is one rule, here
and nowhere else: the innermost programme whose own text (its section less the sections of the
programmes nested in it) holds the item's start; None means the guide itself.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from extractors.offers import section_kinds
from extractors.outline import Node, build_outline, flag_subtrees
from extractors.rules import load_toml
from extractors.textspan import Region, line_spans, sentences


@lru_cache(maxsize=1)
def _excluded_rx() -> re.Pattern:
    return re.compile(load_toml("sections.toml")["excluded"]["pattern"])


@dataclass
class GuideDoc:
    text: str
    body_start: int
    nodes: list[Node]
    excluded: list[bool]
    programs: list = field(default_factory=list)      # FoundProgram, in document order
    regions: list[Region] = field(default_factory=list)  # each programme's own text

    @classmethod
    def parse(cls, text: str, body_start: int = 0) -> "GuideDoc":
        nodes = build_outline(text, body_start)
        rx = _excluded_rx()
        return cls(text, body_start, nodes, flag_subtrees(nodes, lambda n: rx.search(n.title)))

    def set_programs(self, programs: list) -> None:
        for cached in ("node_owner", "_owner_map", "_sections_by_owner", "_longest_names_first"):
            self.__dict__.pop(cached, None)
        self.programs = programs
        self.regions = [Region.of(p.start, p.end, [(q.start, q.end) for q in programs if q.parent == k],
                                  also=p.also) for k, p in enumerate(programs)]

    # --- views -------------------------------------------------------------------------------
    @cached_property
    def lines(self) -> list[tuple[int, int]]:
        """Non-empty lines (paragraphs) as absolute (start, end)."""
        return [(a, b) for a, b in line_spans(self.text) if b > a and self.text[a:b].strip()]

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return sentences(self.text, 0, len(self.text))

    @cached_property
    def part_kinds(self) -> list[str | None]:
        """What part of a programme each section's heading names (offers.section_kinds)."""
        return section_kinds(self.nodes)

    @cached_property
    def blocked(self) -> list[tuple[int, int]]:
        """Sections nothing is read from (appended forms, templates, KPI lists)."""
        return [(n.start, n.end) for i, n in enumerate(self.nodes) if self.excluded[i]]

    @cached_property
    def _node_starts(self) -> list[int]:
        return [n.start for n in self.nodes]

    def heading_at(self, pos: int) -> str:
        """The title of the innermost section holding `pos` ('' before the first heading): the
        last section starting at or before `pos`, or the nearest of its ancestors that reaches it
        (sections nest), found by bisection."""
        k = bisect_right(self._node_starts, pos) - 1
        while k is not None and k >= 0:
            if self.nodes[k].end >= pos:
                return self.nodes[k].title
            k = self.nodes[k].parent
        return ""

    # --- ownership ---------------------------------------------------------------------------
    @cached_property
    def _owner_map(self) -> tuple[list[int], list[int | None]]:
        """The text cut at every boundary of every programme's own ranges, and for each piece the
        highest-numbered (innermost) programme holding it: a sweep over the ranges, done once."""
        cuts = sorted({x for region in self.regions for r in region.ranges for x in r})
        owners: list[int | None] = [None] * len(cuts)  # owners[i]: of [cuts[i], cuts[i + 1])
        starts = {lo: i for i, lo in enumerate(cuts)}
        for k, region in enumerate(self.regions):
            for a, b in region.ranges:
                i = starts.get(a)
                while i is not None and i < len(cuts) and cuts[i] < b:
                    owners[i] = k  # k ascends: the last writer is the innermost programme
                    i += 1
        return cuts, owners

    def owner_at(self, pos: int) -> int | None:
        """The innermost programme whose own text holds `pos`, else None (the guide)."""
        cuts, owners = self._owner_map
        i = bisect_right(cuts, pos) - 1
        return owners[i] if i >= 0 else None

    def owner_of_item(self, pos: int, heading: str = "") -> int | None:
        """The owner of an item of a list: `owner_at(pos)`; a list outside every programme whose
        heading names one (`重大科技专项申报要求`) belongs to that programme."""
        k = self.owner_at(pos)
        if k is None and heading:
            k = next((q for q in self._longest_names_first if self.programs[q].name in heading), None)
        return k

    @cached_property
    def _longest_names_first(self) -> list[int]:
        return sorted(range(len(self.programs)), key=lambda q: -len(self.programs[q].name))

    @cached_property
    def node_owner(self) -> list[int | None]:
        """For each outline node, the programme it belongs to (its own, or the nearest above)."""
        prog_of = {p.node: k for k, p in enumerate(self.programs) if p.node is not None}
        out: list[int | None] = []
        for i, n in enumerate(self.nodes):
            out.append(prog_of[i] if i in prog_of else (out[n.parent] if n.parent is not None else None))
        return out

    @cached_property
    def _sections_by_owner(self) -> dict[int | None, list[int]]:
        out: dict[int | None, list[int]] = {}
        for i, o in enumerate(self.node_owner):
            if not self.excluded[i]:
                out.setdefault(o, []).append(i)
        return out

    def sections_of(self, k: int) -> list[int]:
        """The outline sections programme k reads its fields from (not those of nested programmes);
        for a call for one thing (no section of its own), every section outside other programmes."""
        p = self.programs[k]
        owner = None if p.node is None else k
        return [i for i in self._sections_by_owner.get(owner, []) if i != p.node]
