"""One file -> one Guide record. The plain-Python entry point the flow and `zhinan extract` call."""
from __future__ import annotations

import hashlib
import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from extractors.decode import decode_bytes
from extractors.errors import IngestError
from extractors.files import SUFFIX_FORMAT, inspect
from extractors.fields import extract_fields
from extractors.formats.docx import check_ole, convert_legacy_doc, read_docx
from extractors.formats.html import read_html
from extractors.formats.pdf import MAX_PAGES, read_pdf
from extractors.metadata import extract_meta
from extractors.normalize import Normalized, normalize
from extractors.doc import GuideDoc
from extractors.nlp import entity_pass
from extractors.phones import dominant_area
from extractors.programs import find_programs
from extractors.requirements import assign_ids
from schemas import Entity, Furniture, Guide, Issue, PageStart, Program, Region, Section, Source, Span

# The largest text a worker finishes within its default 120 s: the extractors are linear at about
# 65,000 characters/s on the reference machine (bench/pathological.py), so 5 M characters take
# ~80 s. A bigger text is TOO_LARGE at once instead of a TIMEOUT after two minutes.
MAX_TEXT_CHARS = int(os.environ.get("ZHINAN_MAX_TEXT_CHARS", 5_000_000))
_MAGIC = [(b"%PDF", "pdf"), (b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole")]


@dataclass
class Loaded:
    """A source file read once: its bytes' hash, its normalised text, and for PDFs the page of
    every source character."""

    source: Source
    norm: Normalized
    issues: list[Issue]
    page_of: array | None = None
    furniture: list[Furniture] = field(default_factory=list)


def sniff(data: bytes) -> str | None:
    head = data[:1024]
    for magic, kind in _MAGIC:
        if head.startswith(magic) or (kind == "pdf" and magic in head):
            return kind
    low = head.lstrip().lower()
    if low.startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


def check_file(path: Path) -> None:
    """Raise the IngestError of a path that is not a readable guide file (extractors/files.py)."""
    problem = inspect(path, path)
    if problem is not None:
        raise IngestError(problem.reason, problem.message)


def display_path(path: Path, root: Path | None) -> str:
    rel = path.relative_to(root) if root is not None else Path(path.name)
    # a file name in a foreign encoding arrives as surrogates: keep it readable and JSON-safe
    return os.fsencode(rel).decode("utf-8", errors="backslashreplace")


def load(path: Path, root: Path | None = None, max_pages: int = MAX_PAGES) -> Loaded:
    check_file(path)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    fmt = SUFFIX_FORMAT.get(path.suffix.lower())
    if not data:
        raise IngestError("EMPTY_FILE", f"{path} is empty (0 bytes)")
    kind = sniff(data)
    disp = display_path(path, root)
    if fmt == "txt":
        if kind in ("pdf", "zip", "ole"):
            raise IngestError("WRONG_TYPE", f"{path} is named .txt but its bytes are {kind.upper()}")
        decoded = decode_bytes(data, str(path))
        issues = [Issue(code=w, message=f"text decoded as {decoded.encoding} from very few bytes") for w in decoded.warnings]
        source = Source(path=disp, format="txt", sha256=sha, pages=None, encoding=decoded.encoding)
        return Loaded(source, normalize(decoded.text), issues)
    if fmt == "pdf":
        if kind != "pdf":
            raise IngestError("WRONG_TYPE", f"{path} is named .pdf but its bytes are {_describe(kind, data)}")
        extracted = read_pdf(path, max_pages)
    elif fmt == "docx" and kind == "ole":
        try:
            check_ole(data, path)
        except IngestError as exc:
            if exc.reason != "LEGACY_DOC":
                raise
            extracted = convert_legacy_doc(path)  # LibreOffice, when installed; else LEGACY_DOC
    elif fmt == "docx":
        if kind != "zip":
            raise IngestError("WRONG_TYPE", f"{path} is named .docx but its bytes are {_describe(kind, data)}")
        extracted = read_docx(path)
    else:
        if kind in ("pdf", "zip", "ole"):
            raise IngestError("WRONG_TYPE", f"{path} is named .html but its bytes are {kind.upper()}")
        extracted = read_html(data, path)
    source = Source(path=disp, format=fmt, sha256=sha, pages=extracted.page_count, encoding=extracted.encoding)
    issues = [Issue(code=c, message=m, page=pg) for c, m, pg in extracted.issues]
    furniture = [Furniture(page=pg, kind=k, text=t) for pg, k, t in extracted.furniture]
    return Loaded(source, normalize(extracted.text), issues, extracted.pages, furniture)


def _describe(kind: str | None, data: bytes) -> str:
    if kind:
        return kind.upper()
    head = data[:512].lstrip()
    if head.startswith(b"<"):
        return "HTML or XML"
    return "text" if b"\x00" not in head else "binary data"


def _set_pages(obj, page_at) -> None:
    """Give every Span in the record the page of its first character."""
    if isinstance(obj, Span):
        obj.page = page_at(obj.start)
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _set_pages(getattr(obj, name), page_at)
    elif isinstance(obj, list):
        for item in obj:
            _set_pages(item, page_at)


def check_text_size(text: str, name: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise IngestError("TOO_LARGE", f"{name} has {len(text):,} characters of text, over the "
                                       f"{MAX_TEXT_CHARS:,}-character cap (ZHINAN_MAX_TEXT_CHARS)")


def build_guide(loaded: Loaded) -> Guide:
    text = loaded.norm.text
    check_text_size(text, loaded.source.path)
    meta = extract_meta(text)
    doc = GuideDoc.parse(text, meta.title_span[1])
    place = meta.region
    area = (place.area_code if place is not None else None) or dominant_area(text)
    ents = entity_pass(doc, area)
    doc.set_programs(find_programs(text, doc.nodes, meta.title, doc.body_start, ents.amounts_in))
    plan_or_issue_year = meta.issued.year if meta.issued else meta.year
    per, guide_fields, channels = extract_fields(doc, ents, plan_or_issue_year)
    programs = []
    for k, fp in enumerate(doc.programs):
        f = per[k]
        programs.append(Program(
            id=f"p{k + 1}", name=fp.name, category=fp.category,
            parent=f"p{fp.parent + 1}" if fp.parent is not None else None,
            directions=f.directions, funding=f.funding, duration=f.duration, requirements=f.requirements,
            contacts=f.contacts, deadlines=f.deadlines, span=Span(start=fp.start, end=fp.end),
        ))
    outline = [Section(title=n.title, level=n.level, marker=n.marker, style=n.style, parent=n.parent,
                       span=Span(start=n.start, end=n.end)) for n in doc.nodes]
    entities = [Entity(label=e.label, text=text[e.start:e.end], value=e.value,
                       source=ents.sources.get((e.start, e.end, e.label), "rule"), span=Span(start=e.start, end=e.end))
                for e in ents.entities]
    region = Region(name=place.name, code=place.code, level=place.level) if place else Region()
    issues = list(loaded.issues)
    if not programs:
        issues.append(Issue(code="NO_PROGRAMS", message="no section looks like a funding programme"))
    if place is None:
        issues.append(Issue(code="NO_REGION", message="no region named by issuer, title or text"))
    year = meta.year or (meta.issued.year if meta.issued else None) or _deadline_year(guide_fields, per)
    guide = Guide(
        id=loaded.source.sha256[:16], title=meta.title or loaded.source.path, region=region, year=year,
        issued=meta.issued, issuer=meta.issuer, source=loaded.source, text=text, programs=programs,
        requirements=guide_fields.requirements, contacts=guide_fields.contacts, deadlines=guide_fields.deadlines,
        channels=channels, outline=outline, entities=entities, furniture=loaded.furniture, text_map=loaded.norm.runs(),
        issues=issues,
    )
    assign_ids([("", guide.requirements)] + [(p.name, p.requirements) for p in guide.programs])
    if loaded.page_of is not None:
        offsets, pages = loaded.norm.offsets, loaded.page_of

        def page_at(i: int) -> int | None:
            for k in range(i, min(len(offsets), i + 64)):  # skip inserted characters
                if offsets[k] >= 0:
                    return pages[offsets[k]]
            return None

        for name in ("programs", "requirements", "contacts", "deadlines", "channels", "outline", "entities"):
            _set_pages(getattr(guide, name), page_at)
        guide.page_starts = page_starts(offsets, pages)
    return guide


def page_starts(offsets, pages) -> list[PageStart]:
    """The first text character of each page, in one pass over the text (characters the normaliser
    inserted, offset -1, belong to no page)."""
    out: list[PageStart] = []
    for i, src in enumerate(offsets):
        if src >= 0 and (not out or pages[src] > out[-1].page):
            out.append(PageStart(page=pages[src], start=i))
    return out


def _deadline_year(guide_fields, per) -> int | None:
    """GUIDELINES: without a plan year or an issue date, the year of the application deadline."""
    dates = [d.at for f in [guide_fields, *per] for d in f.deadlines]
    closes = [d.at for f in [guide_fields, *per] for d in f.deadlines if d.kind == "submission_close"]
    pick = min(closes or dates, default=None)
    return int(pick[:4]) if pick else None


def guide_from_text(text: str, name: str = "text.txt") -> Guide:
    """The record of a guide given as decoded text (tests, benchmarks, fuzzing): as if read from a
    UTF-8 .txt file called `name`."""
    sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    source = Source(path=name, format="txt", sha256=sha, pages=None, encoding="utf-8")
    return build_guide(Loaded(source, normalize(text), []))


def extract_file(path: str | os.PathLike, root: str | os.PathLike | None = None) -> Guide:
    """Read, normalise and segment one guide. Raises IngestError with a reason code."""
    p = Path(path)
    return build_guide(load(p, Path(root) if root is not None else None))
