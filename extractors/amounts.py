"""Money amounts in guide text: locate them, then parse them to yuan.

    >>> parse_amount("200-1000万元")
    (2000000, 10000000)
    >>> parse_amount("不超过100万元")
    (None, 1000000)

Grammar (data/funding.toml [amount]): a range `200-1000万元`, `100～500万元`, `20万元至50万元`,
`5-20万`; a cap `不超过100万元`, `最高不超过1000万元`, `原则上不超过200万元`, `1000万元以内`; a
floor `不低于50万元`, `3000万元以上`; a fixed amount `300万元/项`, `2.95亿元`. Arabic or Chinese
numerals (`五十万元`). Nothing found is None / [], never an exception.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import cn2an

from extractors.rules import load_toml

UNIT_YUAN = {"亿元": 10**8, "亿": 10**8, "万元": 10**4, "万": 10**4, "千元": 10**3, "元": 1}


@dataclass(frozen=True)
class Amount:
    min_cny: int | None
    max_cny: int | None
    kind: str  # range | cap | floor | fixed
    start: int
    end: int


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    a = load_toml("funding.toml")["amount"]
    num, unit, sep = a["number"], a["unit"], a["range_sep"]
    money = rf"(?P<n>{num})\s*(?P<u>{unit})"
    return [
        ("range", re.compile(rf"(?P<n1>{num})\s*(?P<u1>{unit})?{sep}(?P<n2>{num})\s*(?P<u2>{unit})")),
        ("cap", re.compile(rf"(?:{a['cap_before']})\s*(?:为|是)?\s*{money}")),
        ("cap", re.compile(rf"{money}\s*(?:{a['cap_after']})")),
        ("floor", re.compile(rf"(?:{a['floor_before']})\s*(?:为|是)?\s*{money}")),
        ("floor", re.compile(rf"{money}\s*(?:{a['floor_after']})")),
        ("fixed", re.compile(money)),
    ]


def to_number(s: str) -> Decimal | None:
    s = s.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return Decimal(s)
    try:
        return Decimal(str(cn2an.cn2an(s, "smart")))
    except (ValueError, KeyError, TypeError):
        return None


def _yuan(num: str, unit: str | None) -> int | None:
    n = to_number(num)
    if n is None or unit is None:
        return None
    return int(n * UNIT_YUAN[unit])


def find_amounts(text: str) -> list[Amount]:
    """Every money amount in `text`, non-overlapping, the most specific reading first."""
    taken = bytearray(len(text))  # 1 where an earlier (more specific) reading holds the character
    out: list[Amount] = []
    for kind, rx in _patterns():
        for m in rx.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            if kind == "range":
                hi = _yuan(m.group("n2"), m.group("u2"))
                lo = _yuan(m.group("n1"), m.group("u1") or m.group("u2"))
                if lo is None or hi is None or lo > hi:
                    continue
                amt = Amount(lo, hi, kind, m.start(), m.end())
            else:
                v = _yuan(m.group("n"), m.group("u"))
                if v is None:
                    continue
                amt = Amount(None if kind == "cap" else v, None if kind == "floor" else v, kind, m.start(), m.end())
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
            out.append(amt)
    return sorted(out, key=lambda a: a.start)


def parse_amount(text: str) -> tuple[int | None, int | None] | None:
    """(min_cny, max_cny) of the first amount in `text`, or None."""
    found = find_amounts(text)
    return (found[0].min_cny, found[0].max_cny) if found else None
