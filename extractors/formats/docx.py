"""Word guides with python-docx: body paragraphs and tables in document order, headers and
footers to the furniture layer, and Word's automatic numbering rendered back into the text.

python-docx leaves numbering out of `paragraph.text`, and the outline depends on it: the number
comes from the paragraph's `w:numPr` (or its style chain), the list's `w:num` (with
`startOverride`) and `w:abstractNum` level (`numFmt`, `lvlText` such as `（%1）`). As in Word,
instances of one abstract list share a count, a `startOverride` restarts it where its instance is
first used, and a level's counter restarts when a shallower level advances.

Zip checks come first (BAD_INPUTS.md): members' total size and compression ratio (ZIP_BOMB),
required parts (DOCX_MISSING_PART), CRCs (DOCX_CORRUPT); an OLE file is a legacy .doc
(LEGACY_DOC) unless it holds an `EncryptedPackage` stream (DOCX_ENCRYPTED).
"""
from __future__ import annotations

import re
import zipfile
import zlib

import cn2an

from extractors.errors import IngestError, raised_by
from extractors.formats import Extracted, TextBuilder

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHINESE_FORMATS = {"chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting",
                    "chineseLegalSimplified", "ideographLegalTraditional", "japaneseCounting"}


def check_ole(data: bytes, path) -> None:
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data[:1 << 20]:
            raise IngestError("DOCX_ENCRYPTED", f"{path} is a password-protected Word document")
        raise IngestError("LEGACY_DOC", f"{path} is a legacy Word 97-2003 .doc (OLE), not .docx")


def convert_legacy_doc(path, timeout: float = 120) -> Extracted:
    """Read a legacy .doc by converting it to .docx with LibreOffice (when installed); a conversion
    that writes nothing is retried (extractors/formats/libreoffice.py) and then reported."""
    import tempfile
    from pathlib import Path

    from extractors.formats.libreoffice import ConversionFailed, convert, soffice

    if not soffice():
        raise IngestError("LEGACY_DOC", f"{path} is a legacy Word 97-2003 .doc (OLE); install LibreOffice to read it")
    with tempfile.TemporaryDirectory(prefix="zhinan-doc-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(Path(path).read_bytes())
        try:
            out = convert(src, "docx", Path(tmp) / "out", timeout=timeout)
        except ConversionFailed as exc:
            raise IngestError("LEGACY_DOC", f"{path} is a legacy .doc: {exc}") from exc
        extracted = read_docx(out)
    extracted.issues.append(("CONVERTED_FROM_DOC", "legacy .doc converted to .docx with LibreOffice", None))
    return extracted


def check_zip(path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
                raise IngestError("ZIP_BOMB", f"{path} unpacks to {total} bytes from {packed} ({total // packed}:1)")
            names = {i.filename for i in infos}
            missing = [n for n in ("[Content_Types].xml", "_rels/.rels") if n not in names]
            if not missing:
                main = main_part_name(zf.read("_rels/.rels"), path)
                if main not in names:
                    missing.append(main or "the main document part named in _rels/.rels")
            if missing:
                raise IngestError("DOCX_MISSING_PART", f"{path} lacks {', '.join(missing)}")
            bad = zf.testzip()
            if bad:
                raise IngestError("DOCX_CORRUPT", f"{path}: member {bad} fails its CRC check")
    except zipfile.BadZipFile as exc:
        raise IngestError("DOCX_CORRUPT", f"{path} is not a readable zip: {exc}") from exc
    except zlib.error as exc:
        raise IngestError("DOCX_CORRUPT", f"{path}: a member does not decompress: {exc}") from exc
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        # zipfile on a damaged directory: EINVAL seeks, bad offsets, unknown compression, encrypted members
        raise IngestError("DOCX_CORRUPT", f"{path}: damaged zip ({type(exc).__name__}: {exc})") from exc


OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def main_part_name(rels_xml: bytes, path) -> str | None:
    """The zip member of the main document part, as the package relationships name it
    (usually `word/document.xml`, but any name is valid)."""
    from lxml import etree

    try:
        root = etree.fromstring(rels_xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise IngestError("DOCX_BAD_XML", f"{path}: broken package relationships (_rels/.rels): {exc}") from exc
    for rel in root:
        if rel.get("Type") == OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
            target = (rel.get("Target") or "").lstrip("/")
            return target or None
    return None


def _fmt(n: int, fmt: str) -> str:
    if fmt in _CHINESE_FORMATS:
        return cn2an.an2cn(n)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, k = "", n
        for v, s in vals:
            while k >= v:
                out, k = out + s, k - v
        return out if fmt == "lowerRoman" else out.upper()
    if fmt == "none":
        return ""
    return str(n)


class Numbering:
    def __init__(self, document):
        from docx.oxml.ns import qn

        self.qn = qn
        self.abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[tuple[str, int]] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for a in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in a.findall(qn("w:lvl")):
                ilvl = _int(lvl.get(qn("w:ilvl")), None)
                if ilvl is None:
                    continue
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[ilvl] = (fmt.get(qn("w:val")) if fmt is not None else "decimal",
                                text.get(qn("w:val")) if text is not None else "",
                                _int(start.get(qn("w:val")), 1) if start is not None else 1)
            self.abstract[a.get(qn("w:abstractNumId"))] = levels
        for n in root.findall(qn("w:num")):
            aid_el = n.find(qn("w:abstractNumId"))
            if aid_el is None:  # a list instance without its definition numbers nothing
                continue
            aid = aid_el.get(qn("w:val"))
            overrides = {}
            for o in n.findall(qn("w:lvlOverride")):
                so = o.find(qn("w:startOverride"))
                level = _int(o.get(qn("w:ilvl")), None)
                if so is not None and level is not None:
                    overrides[level] = _int(so.get(qn("w:val")), 1)
            self.nums[n.get(qn("w:numId"))] = (aid, overrides)

    def _num_pr(self, paragraph):
        qn = self.qn
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style = paragraph.style
        while style is not None:
            sppr = style.element.find(qn("w:pPr"))
            if sppr is not None and sppr.find(qn("w:numPr")) is not None:
                return sppr.find(qn("w:numPr"))
            style = style.base_style
        return None

    def label(self, paragraph) -> str:
        """The rendered number of a paragraph (`（三）`, `2.`), or ''."""
        qn = self.qn
        num_pr = self._num_pr(paragraph)
        if num_pr is None:
            return ""
        num_el = num_pr.find(qn("w:numId"))
        ilvl_el = num_pr.find(qn("w:ilvl"))
        num_id = num_el.get(qn("w:val")) if num_el is not None else None
        ilvl = _int(ilvl_el.get(qn("w:val"))) if ilvl_el is not None else 0
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        aid, overrides = self.nums[num_id]
        levels = self.abstract.get(aid, {})
        if ilvl not in levels:
            return ""
        # Word counts per abstract list: instances (w:num) sharing it continue one count, and an
        # instance with a startOverride restarts it where that instance is first used
        counters = self.counters.setdefault(aid, {})
        fmt, text, start = levels[ilvl]
        if (num_id, ilvl) not in self.started and ilvl in overrides:
            counters[ilvl] = overrides[ilvl]
        else:
            counters[ilvl] = counters.get(ilvl, start - 1) + 1
        self.started.add((num_id, ilvl))
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return ""

        def repl(m):
            k = int(m.group(1)) - 1
            lf = levels.get(k, ("decimal", "", 1))[0]
            return _fmt(counters.get(k, levels.get(k, ("", "", 1))[2]), lf)

        return re.sub(r"%(\d)", repl, text)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Word's inline run content as python-docx renders it (`CT_R.text`)
_RUN_CHARS = {W + "tab": "\t", W + "ptab": "\t", W + "noBreakHyphen": "-", W + "cr": "\n"}
# what Word does not show: deleted or moved-away text, the fallback copy of a drawing, properties
_HIDDEN = {W + "del", W + "moveFrom", MC_FALLBACK, W + "pPr", W + "rPr", W + "instrText", W + "delText"}


def _int(value, default: int | None = 0) -> int | None:
    """An integer attribute of Word XML; a value Word itself would not write gives `default`."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _inline(p_el) -> tuple[str, list]:
    """The text of one paragraph as Word shows it, and the text boxes anchored in it.

    Every `w:t` below the paragraph counts, whatever wraps it: runs, hyperlinks, tracked insertions
    (`w:ins`, `w:moveTo`), simple and complex fields, inline content controls, smart tags and custom
    XML. Deletions and the fallback copies of drawings do not; text boxes (`w:txbxContent`) are
    returned to be read as paragraphs of their own after this one. No recursion: an explicit stack.
    """
    parts: list[str] = []
    boxes: list = []
    stack = [iter(p_el)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if not isinstance(tag, str) or tag in _HIDDEN:
            continue
        if tag == W + "t":
            parts.append(el.text or "")
        elif tag == W + "br":
            parts.append("\n" if el.get(W + "type", "textWrapping") == "textWrapping" else "")
        elif tag in _RUN_CHARS:
            parts.append(_RUN_CHARS[tag])
        elif tag == W + "txbxContent":
            boxes.append(el)
        elif len(el):
            stack.append(iter(el))
    return "".join(parts), boxes


def count_visible_chars(root) -> int:
    """Non-blank characters of every `w:t` Word would show under `root` (the lost-text check)."""
    total = 0
    for t in root.iter(W + "t"):
        anc = t.getparent()
        hidden = False
        while anc is not None and anc is not root:
            if anc.tag in _HIDDEN:
                hidden = True
                break
            anc = anc.getparent()
        if not hidden and t.text:
            total += sum(1 for ch in t.text if not ch.isspace())
    return total


class BodyReader:
    """Paragraphs, tables (nested ones too), content controls, custom XML and text boxes of a Word
    body, in reading order, one line each (a table row is one line, its cells two spaces apart)."""

    def __init__(self, numbering: Numbering, owner):
        from docx.text.paragraph import Paragraph

        self.numbering, self.owner, self._paragraph = numbering, owner, Paragraph
        self.chars = 0  # non-blank characters of w:t text read, for the lost-text check

    def paragraph(self, p_el, emit) -> None:
        text, boxes = _inline(p_el)
        self.chars += sum(1 for ch in text if not ch.isspace())
        label = self.numbering.label(self._paragraph(p_el, self.owner))
        if label:
            sep = "" if label[-1] in "、.．)）" or label[-1] in "①②③④⑤⑥⑦⑧⑨⑩" else " "
            text = f"{label}{sep}{text}"
        emit(text)
        for box in boxes:
            self.blocks(box, emit)

    def table(self, tbl_el, emit) -> None:
        """A row a line. A vertically merged cell repeats its text in every row it spans (as
        python-docx's `row.cells` reads it), so each row reads whole: `种植业  水稻…  75%`."""
        above: dict[int, str] = {}  # grid column -> text of the merged cell that starts above
        for tr in self._children(tbl_el, W + "tr"):
            cells, col = [], 0
            for tc in self._children(tr, W + "tc"):
                pr = tc.find(W + "tcPr")
                span = max(1, _int(pr.find(W + "gridSpan").get(W + "val"), 1)) if pr is not None and \
                    pr.find(W + "gridSpan") is not None else 1
                merge = pr.find(W + "vMerge") if pr is not None else None
                if merge is not None and merge.get(W + "val", "continue") == "continue":
                    t = above.get(col, "")
                else:
                    lines: list[str] = []
                    self.blocks(tc, lines.append)
                    t = " ".join(x.replace("\n", " ").strip() for x in lines if x.strip()).strip()
                    if merge is not None:
                        above[col] = t
                if t:
                    cells.append(t)
                col += span
            if cells:
                emit("  ".join(cells))

    @staticmethod
    def _children(el, tag: str):
        """`tag` children of el, also those wrapped in content controls or custom XML."""
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in (W + "sdt", W + "customXml", W + "sdtContent"):
                yield from BodyReader._children(child, tag)

    def blocks(self, parent_el, emit) -> None:
        for child in parent_el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _HIDDEN or tag in (W + "sectPr", W + "tcPr", W + "sdtPr",
                                                                     W + "tblPr", W + "customXmlPr"):
                continue
            if tag == W + "p":
                self.paragraph(child, emit)
            elif tag == W + "tbl":
                self.table(child, emit)
            else:  # sdt, sdtContent, customXml, ins, moveTo and other containers of blocks
                self.blocks(child, emit)


def read_docx(path) -> Extracted:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    check_zip(path)
    try:
        return _read_package(Document(str(path)))
    except (IngestError, MemoryError, RecursionError):
        raise
    except KeyError as exc:
        raise IngestError("DOCX_MISSING_PART", f"{path}: a required part is missing ({exc})") from exc
    except XMLSyntaxError as exc:
        raise IngestError("DOCX_BAD_XML", f"{path}: broken XML ({exc})") from exc
    except PackageNotFoundError as exc:
        raise IngestError("DOCX_CORRUPT", f"{path} is not a Word package") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise IngestError("DOCX_CORRUPT", f"{path}: {exc}") from exc
    except Exception as exc:
        if raised_by(exc) in ("docx", "lxml"):  # well-formed XML holding values Word would not write
            raise IngestError("DOCX_BAD_XML", f"{path}: python-docx cannot read a value ({type(exc).__name__}: "
                              f"{str(exc)[:120]})") from exc
        raise


def _read_package(document) -> Extracted:
    out = Extracted(text="")
    builder = TextBuilder(with_pages=False)
    reader = BodyReader(Numbering(document), document)
    body = document.element.body
    if body is None:  # a document part without w:body
        body = document.element
    reader.blocks(body, builder.add)
    for section in document.sections:
        for kind, part in (("header", section.header), ("footer", section.footer)):
            try:
                texts = [p.text.strip() for p in part.paragraphs if p.text.strip()]
            except Exception:
                texts = []
            for t in texts:
                if (None, kind, t) not in out.furniture:
                    out.furniture.append((None, kind, t))
    out.text, _ = builder.result()
    expected = count_visible_chars(body)
    if reader.chars < expected:
        out.issues.append(("DOCX_TEXT_LOST", f"{expected - reader.chars} of {expected} characters of the body's "
                           "text runs were not read", None))
    if not out.text.strip():
        out.issues.append(("NO_TEXT", "the document body has no text", None))
    return out
