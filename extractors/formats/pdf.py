"""PDF guides with pdfplumber: lines rebuilt from characters, paragraphs re-joined by geometry.

Per page: duplicate (fake-bold) characters removed (`dedupe_chars`); tables found from ruling
lines become one line per row (cells joined by two spaces) in reading order; lines in the top and
bottom bands that repeat across pages or look like page numbers go to the furniture layer; a line
that reaches the right margin joins the next one (also across a page break) unless the next starts
an enumerated item or is set in another size. A page with no characters is NO_TEXT_LAYER; a page
whose text is mostly `(cid:NNN)`, U+FFFD or private-use characters is GARBLED_TEXT and left out.
Each page is closed after use (pdfplumber keeps caches per page).
"""
from __future__ import annotations

import re
from collections import Counter
from statistics import median

from extractors.errors import IngestError, raised_by
from extractors.formats import Extracted, TextBuilder
from extractors.normalize import _ITEM_START

# pages read per PDF: at up to ~0.15 s a page (tables found, CJK text) 500 pages finish inside the
# worker's default 120 s, so a 2,500-page PDF is PAGE_LIMIT (partial, its first 500 pages), not TIMEOUT
MAX_PAGES = 500
BAND = 0.07  # top and bottom share of the page where running headers and footers live
_PAGE_NO = re.compile(r"^(?:[-—–－]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?(?:\s*[-—–－])?$")
_GARBLE = re.compile(r"\(cid:\d+\)|\ufffd|[\ue000-\uf8ff]")
GARBLED_SHARE = 0.1
_OPENING = "“‘（(《〈【「『"
_NO_LINE_START = "，。、；：！？）)》〉】」』”’"


PDF_LIBRARIES = {"pdfminer", "pdfplumber", "pypdfium2", "PIL"}  # an exception raised in them is the file's damage


def _open(path):
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(path)
    except PdfminerException as exc:
        raise _classify(path, exc) from exc
    except Exception as exc:  # pdfminer raises many types on broken files
        raise _classify(path, exc) from exc


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        for arg in getattr(exc, "args", ()):
            if isinstance(arg, BaseException):
                yield arg
        exc = exc.__cause__ or exc.__context__


def _classify(path, exc: BaseException) -> IngestError:
    names = {type(e).__name__ for e in _chain(exc)}
    text = " ".join(str(e) for e in _chain(exc))
    if "MemoryError" in names or "Unable to allocate" in text:  # zlib under the worker's memory cap
        return IngestError("MEMORY_LIMIT", f"{path}: a stream inflates beyond the memory limit (Flate bomb?)")
    if names & {"PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"}:
        return IngestError("PDF_ENCRYPTED", f"{path} is encrypted with a user password")
    if names & {"PSEOF", "PDFNoValidXRef"} or "No /Root object" in text and "xref" in text.lower():
        return IngestError("PDF_TRUNCATED", f"{path} is truncated or has no valid cross-reference table ({', '.join(sorted(names))})")
    if names & {"PSSyntaxError", "PDFSyntaxError", "PDFNoValidXRef", "PDFTypeError", "PDFValueError"}:
        return IngestError("PDF_CORRUPT", f"{path} is a damaged PDF ({', '.join(sorted(names))}: {text[:120]})")
    if "No /Root object" in text:
        return IngestError("PDF_CORRUPT", f"{path} has no document catalogue (No /Root object)")
    if raised_by(exc) in PDF_LIBRARIES:  # pdfminer's ValueError on bad Ascii85, a KeyError on a font, …
        return IngestError("PDF_CORRUPT", f"{path} is a damaged PDF ({raised_by(exc)} raised {type(exc).__name__}: {text[:120]})")
    return IngestError("PARSER_BUG", f"{path}: {type(exc).__name__}: {text[:160]}")


def _size(line: dict) -> float:
    sizes = [c["size"] for c in line.get("chars", []) if c["text"].strip()]
    return round(median(sizes), 1) if sizes else 0.0


def _inside(line: dict, box) -> bool:
    x0, top, x1, bottom = box
    cx, cy = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
    return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1


def read_pdf(path, max_pages: int = MAX_PAGES) -> Extracted:
    pdf = _open(path)
    out = Extracted(text="")
    try:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:
            raise _classify(path, exc) from exc
        out.page_count = n_pages
        if getattr(pdf.doc, "encryption", None):
            out.issues.append(("PDF_OWNER_PASSWORD", "encrypted with an owner password only: read, but flagged", None))
        if n_pages > max_pages:
            out.issues.append(("PAGE_LIMIT", f"{n_pages} pages; only the first {max_pages} were read", None))
        pages = []  # per page: list of (kind, text, size, x1, right, page_no)
        band_lines: Counter = Counter()
        for i in range(min(n_pages, max_pages)):
            try:
                page = pdf.pages[i]
                try:
                    pages.append(_page_lines(page, i + 1, out, band_lines))
                finally:
                    page.close()
            except (MemoryError, RecursionError):
                raise
            except Exception as exc:  # pdfminer's errors on damaged files come in many types
                raise _classify(path, exc) from exc
    finally:
        try:
            pdf.close()  # walks the pages again: on a damaged file it raises too
        except Exception:
            stream = getattr(pdf, "stream", None)
            if stream is not None:
                stream.close()
    builder = TextBuilder(with_pages=True)
    repeated = {t for t, n in band_lines.items() if n >= 2}
    lines = []
    for entries in pages:
        for e in entries:
            if e["band"] and (e["key"] in repeated or _PAGE_NO.match(e["text"])):
                kind = "page_number" if _PAGE_NO.match(e["text"]) else ("header" if e["band"] == "top" else "footer")
                out.furniture.append((e["page"], kind, e["text"]))
            else:
                lines.append(e)
    _emit(lines, builder)
    out.text, out.pages = builder.result()
    if not out.text.strip():
        out.issues.append(("NO_TEXT", "no readable text on any page", None))
    return out


def _has_duplicate_glyphs(chars: list[dict], tolerance: float = 1.0) -> bool:
    """Does any glyph sit on top of the same glyph (fake bold: drawn twice, offset under 1 pt)?
    One pass over a grid of 1-pt cells: most pages have none, and then pdfplumber's dedupe_chars
    (90 % of a page's reading time) is skipped."""
    seen: set[tuple[str, int, int]] = set()
    for c in chars:
        x, y = int(c["x0"] // tolerance), int(c["top"] // tolerance)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                if (c["text"], x + dx, y + dy) in seen:
                    return True
        seen.add((c["text"], x, y))
    return False


def _page_lines(page, page_no: int, out: Extracted, band_lines: Counter) -> list[dict]:
    p = page.dedupe_chars() if _has_duplicate_glyphs(page.chars) else page
    chars = p.chars
    if not chars:
        out.issues.append(("NO_TEXT_LAYER", f"page {page_no} has no text layer (scanned or image only)", page_no))
        return []
    raw = "".join(c["text"] for c in chars)
    garbled = len(_GARBLE.findall(raw)) + sum(len(m) for m in re.findall(r"\(cid:\d+\)", raw))
    if garbled > GARBLED_SHARE * max(1, len(raw)):
        out.issues.append(("GARBLED_TEXT", f"page {page_no}: {garbled} of {len(raw)} characters unreadable "
                                           "(font without ToUnicode map)", page_no))
        return []
    height = float(page.height)
    tables = []
    try:
        tables = p.find_tables()
    except Exception:  # a table finder failure must not lose the page's text
        tables = []
    boxes = [t.bbox for t in tables]
    entries: list[dict] = []
    for line in p.extract_text_lines(layout=False, strip=True, return_chars=True):
        text = _line_text(line["chars"]) if line.get("chars") else line["text"]
        if not text.strip() or any(_inside(line, b) for b in boxes):
            continue
        band = "top" if line["bottom"] < height * BAND + 20 and line["top"] < height * BAND else (
            "bottom" if line["top"] > height * (1 - BAND) else None)
        key = re.sub(r"\d+", "#", text)
        if band:
            band_lines[key] += 1
        entries.append({"kind": "text", "text": text, "size": _size(line), "x0": line["x0"], "x1": line["x1"],
                        "top": line["top"], "page": page_no, "band": band, "key": key})
    for t, box in zip(tables, boxes):
        for row in t.extract():
            cells = [_cell(c) for c in row if c and c.strip()]
            if cells:
                entries.append({"kind": "row", "text": "  ".join(cells), "size": 0.0, "x0": box[0], "x1": box[2],
                                "top": box[1], "page": page_no, "band": None, "key": ""})
    entries.sort(key=lambda e: e["top"])  # stable: rows of one table keep their order
    # the right margin: a high percentile of long lines' ends (one overhanging line must not move it)
    ends = sorted(e["x1"] for e in entries if e["kind"] == "text" and not e["band"] and len(e["text"]) >= 10)
    right = ends[int(len(ends) * 0.8)] if ends else 0
    for e in entries:
        e["right"] = right
    return entries


def _line_text(chars: list[dict]) -> str:
    """A line's text from its characters. A gap becomes a space only when it is wide for its font:
    between Latin letters or digits a quarter em, between Chinese and Latin 0.3 em, between Chinese
    characters most of an em. pdfplumber's fixed 3-point tolerance turns the autospacing LibreOffice
    puts between Chinese and digits (`申报 2017 年` at 26 pt) into spaces that are not in the text."""
    out: list[str] = []
    prev = None
    for c in chars:
        t = c["text"]
        if prev is not None and t != " " and prev["text"] != " ":
            gap = c["x0"] - prev["x1"]
            size = max(c.get("size") or 10, prev.get("size") or 10)
            a, b = prev["text"].isascii() and prev["text"].isalnum(), t.isascii() and t.isalnum()
            # Latin|Latin: a quarter em is a word space; Chinese|Latin: under 0.3 em is layout
            # spacing (autospacing and a narrow space look the same); Chinese|Chinese: most of an em
            limit = 0.25 if a and b else (0.3 if a or b else 0.8)
            if gap > limit * size:
                out.append(" ")
        out.append(t)
        prev = c
    return "".join(out).strip()


def _cell(text: str) -> str:
    """A table cell's wrapped lines: CJK joins directly, numbers and words keep a space."""
    def join(m):
        a, b = m.group(1), m.group(2)
        return a + (" " if (a.isascii() and a.isalnum()) or (b.isascii() and b.isalnum()) else "") + b
    return re.sub(r"(.)\s*\n\s*(.)", join, text.strip())


def _emit(lines: list[dict], builder: TextBuilder) -> None:
    para, pages, prev = "", [], None
    for e in lines:
        if prev is not None and _joins(prev, e):
            para += e["text"]
            pages += [e["page"]] * len(e["text"])
        else:
            if para:
                builder.add(para, pages)
            para, pages = e["text"], [e["page"]] * len(e["text"])
        prev = e
    if para:
        builder.add(para, pages)


def _joins(prev: dict, nxt: dict) -> bool:
    if prev["kind"] != "text" or nxt["kind"] != "text":
        return False
    size = prev["size"] or 11
    # CJK line breaking (kinsoku) and unjustified layouts (LibreOffice) end full lines up to two
    # characters short of the margin
    full = prev["x1"] >= prev["right"] - 2.5 * size
    same_size = abs(prev["size"] - nxt["size"]) < 0.6
    if not same_size or _ITEM_START.match(nxt["text"]):
        return False
    if prev["text"][-1] in _OPENING or nxt["text"][0] in _NO_LINE_START:
        return True  # a line never ends with an opening bracket nor starts with a closing mark
    if len(nxt["text"]) > 1 and nxt["text"][1] in _NO_LINE_START and prev["x1"] >= prev["right"] - 4.5 * size:
        return True  # `…“科技援` / `疆”、…`: the character and the marks after it moved down together
    return full and prev["text"][-1] not in "：:"
