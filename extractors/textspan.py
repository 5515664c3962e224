"""Regions of a guide's text and the sentences and clauses inside them, with offsets."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[。！？；;!?\n]")
_CLAUSE_BREAK = re.compile(r"[，,。！？；;!?：:\n]")
# An e-mail address. The lookbehind lets a match start only where a run of address characters
# starts, so a long run without `@` is scanned once, not once per character (linear time); the
# address is ASCII, so `邮箱kjj@xj.gov.cn联系人` gives `kjj@xj.gov.cn`.
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class Region:
    """Half-open character ranges of one text, in order (a section less its nested programmes)."""

    ranges: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, start: int, end: int, holes: list[tuple[int, int]] = (),
           also: list[tuple[int, int]] = ()) -> "Region":
        """[start, end) and the `also` ranges, less the holes."""
        out = []
        for lo, hi in sorted([(start, end), *also]):
            pos = lo
            for a, b in sorted(holes):
                if b <= pos or a >= hi:
                    continue
                if a > pos:
                    out.append((pos, a))
                pos = max(pos, b)
            if pos < hi:
                out.append((pos, hi))
        return cls(tuple(out))

    def text(self, text: str) -> str:
        return "\n".join(text[a:b] for a, b in self.ranges)

    def locate(self, a: int, b: int) -> tuple[int, int]:
        """Map a span of `self.text(text)` (ranges joined by newlines) back to offsets of text."""
        pos = 0
        for lo, hi in self.ranges:
            if a <= pos + (hi - lo):
                return lo + (a - pos), lo + (a - pos) + (b - a)
            pos += hi - lo + 1
        return a, b


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of `text`, blank ones included."""
    out, pos = [], 0
    for part in text.split("\n"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 1
    return out


def lines_in(text: str, a: int, b: int, trim: bool = False) -> list[tuple[int, int]]:
    """Non-blank lines of text[a:b]; with `trim`, less their leading and trailing white space."""
    out, pos = [], a
    for part in text[a:b].split("\n"):
        s, e = pos, pos + len(part)
        pos = e + 1
        if trim:
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
        if text[s:e].strip():
            out.append((s, e))
    return out


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as (start, end), ending punctuation included, blanks trimmed."""
    out, pos = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        stop = m.end() if m.group() != "\n" else m.start()
        _add(text, out, pos, stop)
        pos = m.end()
    _add(text, out, pos, end)
    return out


def _add(text: str, out: list, a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        out.append((a, b))


CLAUSE_REACH = 500  # characters a clause extends either side of its anchor, at most


def clause_around(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The clause (between commas, colons or sentence ends) holding text[start:end]. A clause
    reaches at most CLAUSE_REACH characters either way: in a line without punctuation every
    amount would otherwise walk the whole line (quadratic)."""
    lo = max(lo, start - CLAUSE_REACH)
    hi = min(len(text) if hi is None else hi, end + CLAUSE_REACH)
    a = start
    while a > lo and not _CLAUSE_BREAK.match(text[a - 1]):
        a -= 1
    b = end
    while b < hi and not _CLAUSE_BREAK.match(text[b]):
        b += 1
    return a, b


class Cover:
    """A set of half-open ranges kept merged and sorted, asked about points in O(log n) (a scan of
    every range per question made requirement_sentences and contact_blocks quadratic on long
    guides)."""

    def __init__(self, ranges=()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for a, b in sorted(ranges):
            self.add(a, b)

    def add(self, a: int, b: int) -> None:
        if b <= a:
            return
        i = bisect_right(self.starts, a)
        if i > 0 and self.ends[i - 1] >= a:  # joins the range before it
            i -= 1
            a, b = self.starts[i], max(b, self.ends[i])
            del self.starts[i], self.ends[i]
        while i < len(self.starts) and self.starts[i] <= b:  # swallows the ranges it reaches
            b = max(b, self.ends[i])
            del self.starts[i], self.ends[i]
        self.starts.insert(i, a)
        self.ends.insert(i, b)

    def __contains__(self, point: int) -> bool:
        k = bisect_right(self.starts, point) - 1
        return k >= 0 and point < self.ends[k]
