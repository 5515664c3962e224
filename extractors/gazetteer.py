"""GB/T 2260 regions (data/regions.tsv) and a longest-match scanner for their names in text."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from extractors.rules import DATA


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str  # national | province | city | district
    parent: str | None
    area_code: str | None

    @property
    def city_code(self) -> str | None:
        """The prefecture-level city this place belongs to (itself for a city)."""
        if self.level == "city":
            return self.code
        if self.level == "district" and self.parent and self.parent.endswith("00") and not self.parent.endswith("0000"):
            return self.parent
        return None

    @property
    def province_code(self) -> str | None:
        return None if self.level == "national" else self.code[:2] + "0000"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    place: Place


class Gazetteer:
    def __init__(self, places: list[Place], aliases: dict[str, str]):
        self.by_code = {p.code: p for p in places}
        self._codes = dict(aliases)  # name -> code
        lengths: dict[str, set[int]] = {}
        for name in aliases:
            lengths.setdefault(name[0], set()).add(len(name))
        # at each position only the lengths of names that start with its character are tried,
        # longest first: one dict lookup per length instead of a comparison per name
        self._lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    def get(self, code: str | None) -> Place | None:
        return self.by_code.get(code) if code else None

    def scan(self, text: str) -> list[Mention]:
        """Non-overlapping mentions, longest name first at each position."""
        out, i, n = [], 0, len(text)
        codes, lengths = self._codes, self._lengths
        while i < n:
            hit = 0
            for size in lengths.get(text[i], ()):
                if i + size <= n and text[i:i + size] in codes:
                    hit = size
                    break
            if hit:
                out.append(Mention(i, i + hit, self.by_code[codes[text[i:i + hit]]]))
                i += hit
            else:
                i += 1
        return out


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    places, aliases = [], {}
    with (DATA / "regions.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            p = Place(row["code"], row["name"], row["level"], row["parent"] or None, row["area_code"] or None)
            places.append(p)
            if p.level == "national":
                continue
            if p.level != "district" or len(p.name) >= 3:
                aliases.setdefault(p.name, p.code)
            if row["short"] and len(row["short"]) >= 2:
                aliases.setdefault(row["short"], p.code)
    return Gazetteer(places, aliases)
