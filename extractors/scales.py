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


@lru_cache(maxsize=None)
def _lists(field: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The field's scales as written, lowest first: (order, words)."""
    body = load_toml("scales.toml").get(field, {})
    return tuple(tuple(tuple(names) for names in body.get(key, [])) for key in ("order", "words"))


def satisfying(field: str, value, op: str) -> list[str] | None:
    """Values of an ordered field that satisfy `op value` on value's own scale; None if unknown."""
    r = rank(field, value)
    if r is None:
        return None
    ok = {">=": lambda k: k >= r[1], ">": lambda k: k > r[1], "<=": lambda k: k <= r[1], "<": lambda k: k < r[1]}[op]
    return [name for k, names in enumerate(_lists(field)[r[0]]) if ok(k) for name in names]


def off_scale(values: list, value) -> bool:
    """`values` all come from one scale of some ordered field and `value` is not on that scale."""
    for table in _scales().values():
        ranks = [table.get(x) for x in values]
        if values and all(r is not None for r in ranks) and len({r[0] for r in ranks}) == 1:
            mine = table.get(value)
            return mine is None or mine[0] != ranks[0][0]
    return False


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
