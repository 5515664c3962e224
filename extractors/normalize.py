"""Decoded source text -> the guide's normalised `text`, with an offset map back to the source.

Steps, in order: split into lines (form feeds are page breaks); NFC; full-width digits and the
punctuation inside numbers folded; conversion artefacts removed (rules in data/artefacts.toml);
running headers dropped; lines broken by PDF extraction re-joined; one paragraph per line.
Every character of the result remembers the source character it came from, so a span in `text`
can be traced back (`Normalized.source_span`).
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from extractors.rules import rules

_FULLWIDTH_DIGITS = {ord("０") + i: ord("0") + i for i in range(10)}
_NUMBER_PUNCT = {"：": ":", "．": ".", "－": "-", "／": "/", "％": "%", "，": ","}
_NUM_PUNCT_RE = re.compile(r"(?<=\d)([：．－／])(?=\d)|(?<=\d)(％)|(?<=\d)(，)(?=\d{3}(?!\d))")
_SPACE = " \t\u3000\xa0\u2002\u2003\u2009\ufeff"
SENTENCE_END = "。！？；：!?;:"
# enumeration markers that always start a new paragraph (see outline.py for the full styles)
_ITEM_START = re.compile(
    r"^(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+[、.．]|\d+(?:[、.．](?!\d)|\s*[)）])"
    r"|[①-⑳]|第[一二三四五六七八九十百\d]+[章节条部分]|附件\s*\d|方向\s*\d)"
)
_DATE_LINE = re.compile(r"^(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_TITLE_TAIL = re.compile(r"^.{0,24}(?:指南|通知|公告|通告|办法|申\s*报\s*书|细则|方案)$")


@dataclass
class Line:
    text: str
    offs: list[int]
    page_break: bool = False  # a form feed or page-number line came right before it

    def strip(self) -> "Line":
        i, j = 0, len(self.text)
        while i < j and self.text[i] in _SPACE:
            i += 1
        while j > i and self.text[j - 1] in _SPACE:
            j -= 1
        return Line(self.text[i:j], self.offs[i:j], self.page_break)


@dataclass
class Normalized:
    text: str
    offsets: array = field(repr=False)  # offsets[i]: source index of text[i], -1 if inserted
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (rule id, line) removed

    def runs(self) -> list[list[int]]:
        """Compress the map to [text_start, source_start, length] runs: a run goes on while the
        source offsets go up by one (numpy over the whole map; a loop per character was 6 % of a
        text guide's time)."""
        o = np.frombuffer(self.offsets, dtype=np.dtype(f"i{self.offsets.itemsize}")).astype(np.int64)
        if not len(o):
            return []
        mapped = o >= 0
        same = mapped[1:] & mapped[:-1] & (np.diff(o) == 1)  # text[i+1] continues text[i]'s run
        starts = np.flatnonzero(mapped & np.concatenate(([True], ~same)))
        ends = np.flatnonzero(mapped & np.concatenate((~same, [True])))
        return [[int(a), int(o[a]), int(b - a + 1)] for a, b in zip(starts, ends)]

    def source_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Source characters covering text[start:end] (inserted characters are skipped)."""
        mapped = [s for s in self.offsets[start:end] if s >= 0]
        return (min(mapped), max(mapped) + 1) if mapped else None


def _split_lines(source: str) -> list[Line]:
    lines: list[Line] = []
    page_break = False
    for m in re.finditer(r"[^\r\n\f]*(?:\r\n|[\r\n\f]|$)", source):
        raw = m.group(0)
        if not raw:
            continue
        body = raw.rstrip("\r\n\f")
        lines.append(Line(body, list(range(m.start(), m.start() + len(body))), page_break))
        page_break = raw.endswith("\f")
    return lines


def _nfc(line: Line) -> Line:
    if unicodedata.is_normalized("NFC", line.text):
        return line
    text, offs, seg_start = [], [], 0
    for k in range(1, len(line.text) + 1):
        if k == len(line.text) or unicodedata.combining(line.text[k]) == 0:
            piece = unicodedata.normalize("NFC", line.text[seg_start:k])
            text.append(piece)
            offs.extend([line.offs[seg_start]] * len(piece))
            seg_start = k
    return Line("".join(text), offs, line.page_break)


def _fold_numbers(line: Line) -> Line:
    text = line.text.translate(_FULLWIDTH_DIGITS)
    text = _NUM_PUNCT_RE.sub(lambda m: _NUMBER_PUNCT[m.group(0)], text)
    return Line(text, line.offs, line.page_break)  # 1:1, offsets unchanged


def _delete(line: Line, regex: re.Pattern) -> Line:
    keep = [True] * len(line.text)
    for m in regex.finditer(line.text):
        for k in range(m.start(), m.end()):
            keep[k] = False
    if all(keep):
        return line
    return Line("".join(c for c, k in zip(line.text, keep) if k),
                [o for o, k in zip(line.offs, keep) if k], line.page_break)


def visual_width(s: str) -> float:
    """Width in ems as a Chinese font sets it: ambiguous-width marks (“”、…) are full width."""
    return sum(map(_char_width, s))


@lru_cache(maxsize=None)  # a text has a few thousand distinct characters; the lookup is per character
def _char_width(c: str) -> float:
    return 1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5


def wrap_width(lines: list[Line]) -> float | None:
    """The right margin of a hard-wrapped (PDF-extracted) text, or None if it is not wrapped."""
    widths = sorted(visual_width(ln.text) for ln in lines if len(ln.text) >= 8)
    if len(widths) < 20:
        return None
    w = widths[int(len(widths) * 0.9)]
    near = sum(1 for x in widths if w - 3 <= x <= w + 1)
    over = sum(1 for x in widths if x > w + 4)
    if near >= 0.4 * len(widths) and over <= 0.03 * len(widths) and w <= 60:
        return w
    return None


def _join(a: Line, b: Line) -> Line:
    return Line(a.text + b.text, a.offs + b.offs, a.page_break)


def _drop_artefact_lines(lines: list[Line], dropped: list) -> list[Line]:
    line_rules = rules("artefacts.toml", "line")
    toc_heading = rules("artefacts.toml", "toc_heading")[0]["regex"]
    toc_entry = next(r["regex"] for r in line_rules if r["id"] == "toc_entry")
    out: list[Line] = []
    pending_break = False
    nonblank = [ln for ln in lines if ln.text]
    toc = _toc_block(nonblank, toc_heading, toc_entry)
    for idx, ln in enumerate(nonblank):
        hit = next((r for r in line_rules if r["regex"].match(ln.text)), None)
        if hit is None and idx in toc:
            hit = {"id": "toc_heading" if idx == min(toc) else "toc_entry"}
        if hit is not None:
            dropped.append((hit["id"], ln.text))
            pending_break = pending_break or hit["id"] == "page_number"
            continue
        out.append(Line(ln.text, ln.offs, ln.page_break or pending_break))
        pending_break = False
    return out


_TOC_LEADER = re.compile(r"\s*(?:[.．…·]\s*){4,}\s*\d{0,4}\s*$")


def _toc_block(lines: list[Line], heading: re.Pattern, entry: re.Pattern, tail: int = 3) -> set[int]:
    """Indices of a table of contents: a 目录 heading, its run of entries (an entry wrapped over
    two lines goes with it), and up to `tail` lines after the run when the first entry comes back
    right after them as the body's heading (a last entry printed without a page number)."""
    for h, ln in enumerate(lines):
        if not heading.match(ln.text) or h + 1 >= len(lines) or not entry.match(lines[h + 1].text):
            continue
        k = h + 1
        while k < len(lines) and (entry.match(lines[k].text)
                                  or (k + 1 < len(lines) and entry.match(lines[k + 1].text))):
            k += 1
        first = re.sub(r"\s+", "", _TOC_LEADER.sub("", lines[h + 1].text))
        for j in range(k, min(len(lines), k + tail + 1)):
            if re.sub(r"\s+", "", lines[j].text) == first:
                return set(range(h, j))
        return set(range(h, k))
    return set()


def _drop_running_headers(lines: list[Line], dropped: list) -> list[Line]:
    """Short lines repeated on three or more pages, each time next to a page break."""
    near_break: Counter = Counter()
    for i, ln in enumerate(lines):
        if len(ln.text) <= 40 and (ln.page_break or (i + 1 < len(lines) and lines[i + 1].page_break)):
            near_break[ln.text] += 1
    headers = {t for t, n in near_break.items() if n >= 3}
    if not headers:
        return lines
    out = []
    for ln in lines:
        if ln.text in headers:
            dropped.append(("running_header", ln.text))
        else:
            out.append(ln)
    return out


def _rejoin(lines: list[Line]) -> list[Line]:
    w = wrap_width(lines)
    out: list[Line] = []
    last_width = 0.0  # width of the last physical line inside out[-1]
    for ln in lines:
        if out:
            prev = out[-1]
            starts_item = bool(_ITEM_START.match(ln.text))
            heading_next = len(ln.text) <= 30 and not any(c in ln.text for c in "，。；：,;:")
            wrapped = (w is not None and last_width >= w - 3 and prev.text[-1] not in "：:"
                       and not starts_item and not (heading_next and prev.text[-1] in SENTENCE_END))
            dangling = prev.text[-1] in "、（(《“" and not starts_item  # a line never ends inside a list or bracket
            if wrapped or _title_tail(prev, ln) or dangling:
                out[-1] = _join(prev, ln)
                last_width = visual_width(ln.text)
                # the joined line may now be the tail of the title line before it: join until it is
                # not, so that normalising the result again changes nothing (idempotent)
                while len(out) >= 2 and _title_tail(out[-2], out[-1]):
                    out[-2:] = [_join(out[-2], out[-1])]
                continue
        out.append(ln)
        last_width = visual_width(ln.text)
    return out


def _title_tail(prev: Line, ln: Line) -> bool:
    """`ln` ends a title that `prev` began (`关于申报2024年度` + `科技计划项目的通知`)."""
    return (not _ITEM_START.match(ln.text) and prev.text[-1] not in SENTENCE_END + "，,、"
            and not _DATE_LINE.match(prev.text)  # a signature date, then the attached document's title
            and len(prev.text) >= 6 and _TITLE_TAIL.match(ln.text) is not None
            and not _TITLE_TAIL.match(prev.text))


def normalize(source: str) -> Normalized:
    dropped: list[tuple[str, str]] = []
    inline = rules("artefacts.toml", "inline")
    lines = []
    for ln in _split_lines(source):
        ln = _fold_numbers(_nfc(ln))
        for rule in inline:
            ln = _delete(ln, rule["regex"])
        lines.append(ln.strip())
    lines = _drop_artefact_lines(lines, dropped)
    lines = _drop_running_headers(lines, dropped)
    lines = _rejoin(lines)
    text_parts: list[str] = []
    offsets = array("l")
    for k, ln in enumerate(lines):
        if k:
            text_parts.append("\n")
            offsets.append(-1)
        text_parts.append(ln.text)
        offsets.extend(ln.offs)
    return Normalized("".join(text_parts), offsets, dropped)
