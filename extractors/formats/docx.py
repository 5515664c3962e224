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

from extractors.errors import IngestError
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
    """Read a legacy .doc by converting it to .docx with LibreOffice (when installed)."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise IngestError("LEGACY_DOC", f"{path} is a legacy Word 97-2003 .doc (OLE); install LibreOffice to read it")
    with tempfile.TemporaryDirectory(prefix="zhinan-doc-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(Path(path).read_bytes())
        try:
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                            "docx", "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise IngestError("LEGACY_DOC", f"{path} is a legacy .doc that LibreOffice could not convert") from exc
        out = Path(tmp) / "in.docx"
        if not out.exists():
            raise IngestError("LEGACY_DOC", f"{path} is a legacy .doc that LibreOffice could not convert")
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
            missing = [n for n in ("[Content_Types].xml", "_rels/.rels", "word/document.xml") if n not in names]
            if missing:
                raise IngestError("DOCX_MISSING_PART", f"{path} lacks {', '.join(missing)}")
            bad = zf.testzip()
            if bad:
                raise IngestError("DOCX_CORRUPT", f"{path}: member {bad} fails its CRC check")
    except zipfile.BadZipFile as exc:
        raise IngestError("DOCX_CORRUPT", f"{path} is not a readable zip: {exc}") from exc
    except zlib.error as exc:
        raise IngestError("DOCX_CORRUPT", f"{path}: a member does not decompress: {exc}") from exc


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
                ilvl = int(lvl.get(qn("w:ilvl")))
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[ilvl] = (fmt.get(qn("w:val")) if fmt is not None else "decimal",
                                text.get(qn("w:val")) if text is not None else "",
                                int(start.get(qn("w:val"))) if start is not None else 1)
            self.abstract[a.get(qn("w:abstractNumId"))] = levels
        for n in root.findall(qn("w:num")):
            aid = n.find(qn("w:abstractNumId")).get(qn("w:val"))
            overrides = {}
            for o in n.findall(qn("w:lvlOverride")):
                so = o.find(qn("w:startOverride"))
                if so is not None:
                    overrides[int(o.get(qn("w:ilvl")))] = int(so.get(qn("w:val")))
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
        ilvl = int(ilvl_el.get(qn("w:val"))) if ilvl_el is not None else 0
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


def read_docx(path) -> Extracted:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import XMLSyntaxError

    check_zip(path)
    try:
        document = Document(str(path))
    except KeyError as exc:
        raise IngestError("DOCX_MISSING_PART", f"{path}: a required part is missing ({exc})") from exc
    except XMLSyntaxError as exc:
        raise IngestError("DOCX_BAD_XML", f"{path}: broken XML ({exc})") from exc
    except PackageNotFoundError as exc:
        raise IngestError("DOCX_CORRUPT", f"{path} is not a Word package") from exc
    except (zipfile.BadZipFile, zlib.error) as exc:
        raise IngestError("DOCX_CORRUPT", f"{path}: {exc}") from exc
    numbering = Numbering(document)
    out = Extracted(text="")
    builder = TextBuilder(with_pages=False)

    def para_text(p: Paragraph) -> str:
        label = numbering.label(p)
        text = p.text
        if label:
            sep = "" if label[-1] in "、.．)）" or label[-1] in "①②③④⑤⑥⑦⑧⑨⑩" else " "
            text = f"{label}{sep}{text}"
        return text

    def walk(parent_el, owner):
        for child in parent_el.iterchildren():
            if child.tag == qn("w:p"):
                builder.add(para_text(Paragraph(child, owner)))
            elif child.tag == qn("w:tbl"):
                for row in Table(child, owner).rows:
                    cells, seen = [], set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell repeats
                            continue
                        seen.add(id(cell._tc))
                        t = " ".join(para_text(p) for p in cell.paragraphs).strip()
                        if t:
                            cells.append(t)
                    if cells:
                        builder.add("  ".join(cells))
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content, owner)

    walk(document.element.body, document)
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
    if not out.text.strip():
        out.issues.append(("NO_TEXT", "the document body has no text", None))
    return out
