"""Requirement text -> machine-checkable constraints (rules in data/constraints.toml).

    >>> [c.field for c in parse_constraints("六十周岁以下（1962 年 1 月 1 日以后出生）")]
    ['birth_date']

Either/or rules (`硕士及以上学位或副高级及以上专业技术职称`) and relaxed rules (`放宽到…`) stay
text-only: a wrong rule is worse than none for a rule author.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.amounts import UNIT_YUAN, to_number
from extractors.rules import load_toml
from extractors.textspan import sentences


@dataclass(frozen=True)
class ParsedConstraint:
    subject: str
    field: str
    op: str
    value: object
    unit: str | None
    start: int
    end: int
    rule: str


@lru_cache(maxsize=1)
def _rules() -> tuple[list[dict], dict]:
    data = load_toml("constraints.toml")
    subjects = {k: re.compile(v) for k, v in data["subjects"].items()}
    return data["rule"], subjects


def _subject(sentence: str, at: int, subjects: dict) -> str:
    best, who = -1, "applicant"
    for name in ("pi", "applicant"):
        for m in subjects[name].finditer(sentence, 0, at):
            if m.start() > best or (m.start() == best and name == "pi"):
                best, who = m.start(), name
    return who


def _value(rule: dict, m: re.Match):
    kind = rule["value"]
    g = m.groupdict()
    if kind == "const":
        return rule["const"], None
    if kind == "date":
        y, mo, d = int(g["y"]), int(g["m"]), int(g.get("d") or 1)
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return None, None
        return f"{y:04d}-{mo:02d}-{d:02d}", None
    if kind == "int":
        n = to_number(g["v"])
        return (int(n), None) if n is not None else (None, None)
    if kind == "yuan":
        n = to_number(g["n"])
        return (int(n * UNIT_YUAN[g["u"]]), "CNY") if n is not None else (None, None)
    if kind == "ratio":
        return round(float(g["v"]) / 100, 4), None
    if kind == "text":
        v = g["v"]
        return rule.get("map", {}).get(v, v), None
    if kind == "places":
        parts = [p for p in re.split(r"[、，,]", g["v"]) if p]
        return (parts, None) if len(parts) > 1 else (parts[0], None)
    raise ValueError(f"constraints.toml {rule['id']}: unknown value kind {kind!r}")


def parse_constraints(text: str, offset: int = 0) -> list[ParsedConstraint]:
    rules, subjects = _rules()
    out: list[ParsedConstraint] = []
    for a, b in sentences(text, 0, len(text)):
        s = text[a:b]
        if subjects["relaxed"].search(s):
            continue
        found: list[ParsedConstraint] = []
        for rule in rules:
            for m in re.finditer(rule["pattern"], s):
                value, unit = _value(rule, m)
                if value is None:
                    continue
                subject = _subject(s, m.start(), subjects) if rule["subject"] == "auto" else rule["subject"]
                op = "in" if isinstance(value, list) else rule["op"]
                found.append(ParsedConstraint(subject, rule["field"], op, value, unit,
                                              offset + a + m.start(), offset + a + m.end(), rule["id"]))
        fields = {c.field for c in found}
        found = [c for c in found if not (next((r for r in rules if r["id"] == c.rule), {}).get("unless") in fields)]
        if len({c.field for c in found}) >= 2 and _either_or(s, found, a + offset, subjects["either_or"]):
            continue
        out.extend(found)
    return _dedupe(out)


def _either_or(sentence: str, found: list[ParsedConstraint], base: int, rx: re.Pattern) -> bool:
    """An 或 between two matches of different fields, outside the matches themselves."""
    spans = sorted((c.start - base, c.end - base, c.field) for c in found)
    for (a1, b1, f1), (a2, b2, f2) in zip(spans, spans[1:]):
        if f1 != f2 and rx.search(sentence[b1:a2]):
            return True
    return False


def _dedupe(items: list[ParsedConstraint]) -> list[ParsedConstraint]:
    seen, out = set(), []
    for c in items:
        key = (c.subject, c.field, c.op, str(c.value))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
