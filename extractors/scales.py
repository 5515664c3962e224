"""Ordered constraint values (data/scales.toml): 初级 < 中级 < 副高级 < 正高级, 本科 < 硕士 < 博士,
C < B < A and 合格 < 良好 < 优秀. `rank` gives a comparable key, or None when unknown."""
from __future__ import annotations

from functools import lru_cache

from extractors.rules import load_toml


@lru_cache(maxsize=1)
def _scales() -> dict[str, dict[str, tuple[int, int]]]:
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for field, body in load_toml("scales.toml").items():
        table: dict[str, tuple[int, int]] = {}
        for scale_no, key in enumerate(("order", "words")):
            for rank, names in enumerate(body.get(key, [])):
                for name in names:
                    table[name] = (scale_no, rank)
        out[field] = table
    return out


def is_ordered(field: str) -> bool:
    return field in _scales()


def rank(field: str, value) -> tuple[int, int] | None:
    """(scale, position) of an ordered text value; None if the field or value is unknown."""
    return _scales().get(field, {}).get(str(value).strip().upper() if str(value).isascii() else str(value).strip())


def compare(field: str, a, b) -> int | None:
    """-1, 0, 1 as a <, ==, > b; None when the two cannot be compared."""
    if is_ordered(field):
        ra, rb = rank(field, a), rank(field, b)
        if ra is None or rb is None or ra[0] != rb[0]:
            return None
        return (ra[1] > rb[1]) - (ra[1] < rb[1])
    if isinstance(a, bool) or isinstance(b, bool):
        return 0 if a == b else None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return (a > b) - (a < b)
    if isinstance(a, str) and isinstance(b, str) and len(a) == len(b) == 10 and a[4] == a[7] == "-":
        return (a > b) - (a < b)  # ISO dates
    return 0 if a == b else None
