"""Every value of a record points at its evidence: the checks that say so, used by the tests, the
fuzz harness and `zhinan validate`-style tooling. A problem is a readable string naming the value."""
from __future__ import annotations

from pydantic import BaseModel

from schemas.guide import Contact, Funding, Guide, Section, Span


def _walk(obj, path: str):
    """(path, model) for every model inside obj, depth first, without recursion."""
    stack = [(path, obj)]
    while stack:
        where, o = stack.pop()
        if isinstance(o, BaseModel):
            yield where, o
            for name in type(o).model_fields:
                if name != "text":
                    stack.append((f"{where}.{name}", getattr(o, name)))
        elif isinstance(o, list):
            stack.extend((f"{where}[{k}]", x) for k, x in enumerate(o))


def span_problems(guide: Guide) -> list[str]:
    """What is wrong with the record's spans: out of the text, reversed, or not the evidence."""
    text, n = guide.text, len(guide.text)
    problems: list[str] = []
    for where, m in _walk(guide, "guide"):
        if isinstance(m, Span):
            if not 0 <= m.start <= m.end <= n:
                problems.append(f"{where}: [{m.start}, {m.end}) is outside the text (length {n})")
            continue
        span = getattr(m, "span", None)
        if not isinstance(span, Span) or not 0 <= span.start <= span.end <= n:
            continue
        evidence = text[span.start:span.end]
        own = getattr(m, "text", None)
        if isinstance(own, str) and not isinstance(m, Guide) and own != evidence:
            problems.append(f"{where}: text {own[:30]!r} is not text[{span.start}:{span.end}] {evidence[:30]!r}")
        if isinstance(m, Section) and m.title not in evidence:
            problems.append(f"{where}: title {m.title[:30]!r} is not inside its span")
        if isinstance(m, Funding) and m.amount_span is not None and not (
                span.start <= m.amount_span.start <= m.amount_span.end <= span.end):
            problems.append(f"{where}: amount_span lies outside the funding sentence")
        if isinstance(m, Contact):
            problems.extend(f"{where}: email {e!r} is not in its span" for e in m.emails if e not in evidence)
    return problems
