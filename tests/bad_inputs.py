"""Small fixtures for the rows of BAD_INPUTS.md that apply to PDF, DOCX and HTML, built from the
renderings of a real guide (tests/make_renderings.py) so each is a realistic file broken one way.

Each builder writes one file into a folder and returns its name; `CASES` maps the name to the
(status, reason) the run ledger must show.
"""
from __future__ import annotations

import io
import random
import zipfile
import zlib
from pathlib import Path

SEED_STEM = "004_f341f958e9ff6538"


def _pdf_pages(texts: list[str], path: Path, image_only: set[int] = frozenset()) -> None:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    rl_config.invariant = 1
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for k, text in enumerate(texts):
        if k in image_only:  # a scanned page: pixels, no text layer
            c.setFillGray(0.85)
            for y in range(100, 750, 14):
                c.rect(60, y, 470, 8, stroke=0, fill=1)
        else:
            c.setFont("STSong-Light", 11)
            y = 780
            for line in text.split("\n"):
                c.drawString(60, y, line)
                y -= 16
        c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())


def build(folder: Path, renderings: Path) -> dict[str, tuple[str, str | None]]:
    """Write every fixture into `folder`; return {file name: (status, reason)}."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf = (renderings / f"{SEED_STEM}.pdf").read_bytes()
    docx = (renderings / f"{SEED_STEM}.docx").read_bytes()
    html = (renderings / f"{SEED_STEM}.html").read_bytes()
    cases: dict[str, tuple[str, str | None]] = {}

    def put(name: str, data: bytes, status: str, reason: str | None) -> None:
        (folder / name).write_bytes(data)
        cases[name] = (status, reason)

    # row 1, 13: empty files
    put("empty.pdf", b"", "failed", "EMPTY_FILE")
    put("empty.docx", b"", "failed", "EMPTY_FILE")
    put("empty.html", b"", "failed", "EMPTY_FILE")
    # row 2: another type under a guide's name
    put("page-named.pdf", html, "failed", "WRONG_TYPE")
    put("text-named.docx", "这不是Word文件，只是文字。\n".encode("utf-8"), "failed", "WRONG_TYPE")
    put("pdf-named.html", pdf, "failed", "WRONG_TYPE")
    # row 3: truncated at 50 %
    put("truncated.pdf", pdf[: len(pdf) // 2], "failed", "PDF_TRUNCATED")
    # row 4: 40 bytes flipped (fixed seed)
    b = bytearray(pdf)
    rnd = random.Random(7)
    for _ in range(40):
        i = rnd.randrange(len(b))
        b[i] ^= 0xFF
    put("flipped.pdf", bytes(b), "failed", "PDF_CORRUPT")
    # row 5: junk before %PDF parses fine
    put("junk-before.pdf", b"\x00JUNK" * 100 + pdf, "ok", None)
    # rows 6, 7: passwords
    import pypdf

    def encrypted(user: str, owner: str) -> bytes:
        w = pypdf.PdfWriter(clone_from=io.BytesIO(pdf))
        w.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
        out = io.BytesIO()
        w.write(out)
        return out.getvalue()

    put("user-password.pdf", encrypted("secret", "owner"), "failed", "PDF_ENCRYPTED")
    put("owner-password.pdf", encrypted("", "owner"), "ok", None)
    # row 8: a scanned page among text pages, and a fully scanned document
    _pdf_pages(["乌鲁木齐市2024年度科技计划项目申报指南", "", "四、申报限制\n（一）单位有逾期一年以上未验收市级科技计划项目的；"],
               folder / "scanned-page.pdf", image_only={1})
    cases["scanned-page.pdf"] = ("partial", "NO_TEXT_LAYER")
    _pdf_pages(["", ""], folder / "scanned.pdf", image_only={0, 1})
    cases["scanned.pdf"] = ("partial", "NO_TEXT,NO_TEXT_LAYER")
    # row 9: a CJK font without ToUnicode extracts as (cid:NNN)
    _pdf_pages(["关于申报科技计划项目的通知", "(cid:1234)(cid:2345)(cid:3456)(cid:4567)(cid:5678)(cid:6789)" * 3],
               folder / "garbled-page.pdf")
    cases["garbled-page.pdf"] = ("partial", "GARBLED_TEXT")
    # row 12: Flate bomb: a content stream of 1.5 GB of compressed zeros
    comp = zlib.compressobj(9)
    chunks = [comp.compress(b"\x00" * (1 << 24)) for _ in range(96)] + [comp.flush()]
    stream = b"".join(chunks)
    put("flate-bomb.pdf", _raw_pdf(stream), "failed", "MEMORY_LIMIT")
    # rows 13, 17: broken zips
    put("truncated.docx", docx[: len(docx) // 2], "failed", "DOCX_CORRUPT")
    put("flipped-member.docx", _flip_member(docx, "word/document.xml"), "failed", "DOCX_CORRUPT")
    # row 14: legacy .doc and a password-protected .docx
    put("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Word.Document.8".encode("utf-16-le") * 20,
        "failed", "LEGACY_DOC")
    put("password.docx", _encrypt_docx(docx), "failed", "DOCX_ENCRYPTED")
    # rows 15, 16: missing part, broken XML
    put("missing-part.docx", _rezip(docx, drop="word/document.xml"), "failed", "DOCX_MISSING_PART")
    put("bad-xml.docx", _rezip(docx, replace={"word/document.xml": b"<w:document><w:body><w:p>broken"}),
        "failed", "DOCX_BAD_XML")
    # row 18: zip bomb: 300 MB of document.xml in a small file
    put("zip-bomb.docx", _zip_bomb(docx), "failed", "ZIP_BOMB")
    # row 19: text only in a table and in the header
    put("tables-only.docx", _tables_only_docx(), "ok", None)
    # HTML: binary bytes under .html
    put("binary.html", bytes(range(256)) * 8, "failed", "BINARY_AS_TEXT")
    return cases


def _raw_pdf(content: bytes) -> bytes:
    """A minimal, valid one-page PDF whose content stream is `content` (Flate-compressed)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length " + str(len(content)).encode() + b" /Filter /FlateDecode >>\nstream\n" + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{k} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _rezip(docx: bytes, drop: str | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == drop:
                continue
            data = (replace or {}).get(info.filename, src.read(info.filename))
            dst.writestr(info, data)
    return buf.getvalue()


def _flip_member(docx: bytes, member: str) -> bytes:
    zf = zipfile.ZipFile(io.BytesIO(docx))
    info = zf.getinfo(member)
    # local header: 30 bytes + name + extra, then the compressed data
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    b = bytearray(docx)
    b[start + info.compress_size // 2] ^= 0x55
    return bytes(b)


def _zip_bomb(docx: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info.filename))
        info = zipfile.ZipInfo("word/document.xml", (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(300):
                fh.write(block)
    return buf.getvalue()


def _encrypt_docx(docx: bytes) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(docx)).encrypt("secret", out)
    return out.getvalue()


def _tables_only_docx() -> bytes:
    from docx import Document

    d = Document()
    d.sections[0].header.paragraphs[0].text = "克拉玛依市科学技术局文件"
    t = d.add_table(rows=0, cols=2)
    for a, b in (("关于申报2017年市科技计划项目的通知", ""), ("联 系 人：", "徐玮 景毅"), ("联系电话：", "0990-6231723")):
        cells = t.add_row().cells
        cells[0].text, cells[1].text = a, b
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
