"""Render every corpus guide as PDF, DOCX and HTML, deterministically, for the format tests.

    python tests/make_renderings.py OUT_DIR [--corpus corpus] [--libreoffice]

Writes OUT_DIR/<stem>.pdf, <stem>.docx, <stem>.html (same stem as the text guide, so the gold
answers apply), and with --libreoffice (when `soffice` is installed) OUT_DIR/libreoffice/<stem>.pdf
converted from the DOCX. The structure comes from zhinan's own normaliser and outline:
- PDF (reportlab, built-in CID font STSong-Light, no font file): title 20 pt, level-1 headings
  16 pt, level-2 headings 14 pt, body 11 pt; a running header and `第 N 页` footers; contact
  sections as a table.
- DOCX (python-docx): numbered headings and items use real Word automatic numbering defined in
  numbering.xml (`chineseCounting` for 一、 and （一）, `decimal` with lvlText `%1.`, `（%1）` …), the
  marker removed from the paragraph text; unnumbered headings use Heading styles; contact sections
  are a table; a running header. Zip timestamps and core properties are fixed.
- HTML: navigation, breadcrumbs and a footer around an <article>; headings as <h2>/<h3>, contact
  sections as a <table>; sample 002 is written in GB18030 with a declared gb2312 charset.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import html
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.metadata import find_title  # noqa: E402
from extractors.normalize import normalize  # noqa: E402
from extractors.outline import build_outline  # noqa: E402

CONTACT_HEADING = re.compile(r"联系方式|管理科室|业务咨询|联系人")
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
GB_HTML = {"002_1d24a9c214daa895"}


@dataclass
class Block:
    kind: str  # title | heading | item | para | table
    text: str
    level: int = 0
    style: str | None = None  # numbering style of an item or heading
    marker: str | None = None
    value: int | None = None
    rows: list[list[str]] | None = None


def blocks_of(raw: str) -> list[Block]:
    text = normalize(raw).text
    a, b = find_title(text)
    nodes = {n.start: n for n in build_outline(text, b)}
    out: list[Block] = []
    table: list[list[str]] | None = None
    table_level = None
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if start == a:
            out.append(Block("title", line))
            continue
        n = nodes.get(start)
        if table is not None and (n is not None and n.level <= table_level):
            out.append(Block("table", "", rows=table))
            table = None
        if n is not None:
            body = line[n.rest_start - n.start:].strip()
            heading_like = len(body) <= 30 and not re.search(r"[，。；]", body)
            if CONTACT_HEADING.search(n.title) and table is None:
                kind = "heading"
                out.append(Block(kind, body if n.marker else line, n.level, n.style if n.marker else None,
                                 n.marker, n.value))
                table, table_level = [], n.level
                if re.search(r"[：:]\s*\S", body):  # `管理科室：高新…（0971-…）` is content too
                    out[-1].text = body.split("：")[0].split(":")[0]
                    table.append(_row(body))
                continue
            if table is not None:
                table.append(_row(line))
                continue
            if n.style in ("annex", "bare", "chapter", "section", "part", "article", "direction", "num_dot2"):
                out.append(Block("heading" if heading_like else "para", line, n.level))
            else:
                out.append(Block("heading" if heading_like else "item", body, n.level, n.style, n.marker, n.value))
            continue
        if table is not None:
            table.append(_row(line))
            continue
        out.append(Block("para", line))
    if table is not None:
        out.append(Block("table", "", rows=table))
    return [b for b in out if b.kind != "table" or b.rows]


def _row(line: str) -> list[str]:
    m = re.match(r"^([^：:]{1,20}[：:])\s*(.*)$", line.strip())
    return [m.group(1), m.group(2)] if m else [line.strip(), ""]


def marker_text(b: Block) -> str:
    return f"{b.marker} " if b.marker and b.style not in (None,) else ""


# ---------------------------------------------------------------- PDF (reportlab)
def render_pdf(blocks: list[Block], title: str, out: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("t", parent=body, fontSize=20, leading=26, spaceAfter=12),
        1: ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceBefore=8, spaceAfter=4),
        2: ParagraphStyle("h2", parent=body, fontSize=14, leading=19, spaceBefore=6, spaceAfter=3),
    }
    cell = ParagraphStyle("cell", parent=body, fontSize=10.5, leading=14)

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawString(20 * mm, A4[1] - 12 * mm, f"{title[:40]}")
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    def esc(t: str) -> str:
        # STSong-Light has no glyph for U+00B7 · (塔依尔·提依甫): it is written as U+30FB ・,
        # which pdfplumber reads back as ·
        return html.escape(t.replace("·", "・"))

    story = []
    for b in blocks:
        if b.kind == "title":
            story.append(Paragraph(esc(b.text), styles["title"]))
        elif b.kind == "heading":
            story.append(Paragraph(esc(marker_text(b) + b.text), styles.get(min(max(b.level, 1), 2))))
        elif b.kind == "table":
            data = [[Paragraph(esc(c), cell) for c in row] for row in b.rows]
            t = Table(data, colWidths=[45 * mm, 120 * mm])
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#888888"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [t, Spacer(1, 6)]
        else:
            story.append(Paragraph(esc(marker_text(b) + b.text), body))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm,
                            bottomMargin=20 * mm, title=title, author="zhinan", creator="zhinan", producer="zhinan")
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    out.write_bytes(buf.getvalue())


# ---------------------------------------------------------------- DOCX (python-docx)
NUM_FORMATS = {  # outline style -> (w:numFmt, w:lvlText)
    "cn_dun": ("chineseCounting", "%1、"),
    "cn_paren": ("chineseCounting", "（%1）"),
    "num_dun": ("decimal", "%1、"),
    "num_dot": ("decimal", "%1."),
    "num_paren": ("decimal", "（%1）"),
    "num_halfparen": ("decimal", "%1）"),
    "circled": ("decimalEnclosedCircle", "%1"),
}


class _Numbering:
    """Adds one w:abstractNum per style and one w:num per list (run of siblings of a style)."""

    def __init__(self, document):
        from docx.oxml.ns import qn

        self.qn = qn
        self.part = document.part.numbering_part.element
        self.abstract: dict[str, int] = {}
        self.next_abstract = 100
        self.next_num = 100

    def _abstract(self, style: str) -> int:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        if style not in self.abstract:
            fmt, text = NUM_FORMATS[style]
            aid = self.next_abstract
            self.next_abstract += 1
            xml = (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{aid}"><w:multiLevelType w:val="singleLevel"/>'
                   f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
                   f'<w:lvlJc w:val="left"/></w:lvl></w:abstractNum>')
            first_num = self.part.find(self.qn("w:num"))
            el = parse_xml(xml)
            if first_num is not None:
                first_num.addprevious(el)
            else:
                self.part.append(el)
            self.abstract[style] = aid
        return self.abstract[style]

    def new_list(self, style: str, start: int) -> int:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        aid = self._abstract(style)
        nid = self.next_num
        self.next_num += 1
        self.part.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/>'
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'))
        return nid

    def apply(self, paragraph, num_id: int) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        ppr = paragraph._p.get_or_add_pPr()
        ppr.insert(0, parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def render_docx(blocks: list[Block], title: str, out: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.font.name = "SimSun"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    document.core_properties.created = dt.datetime(2024, 1, 1)
    document.core_properties.modified = dt.datetime(2024, 1, 1)
    document.core_properties.author = "zhinan"
    document.core_properties.title = title
    document.sections[0].header.paragraphs[0].text = title[:40]
    numbering = _Numbering(document)
    lists: dict[tuple[int, str], tuple[int, int]] = {}  # (level, style) -> (numId, last value)
    for b in blocks:
        if b.kind == "title":
            document.add_paragraph(b.text, style="Title")
            continue
        if b.kind == "table":
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for row in b.rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = row
            continue
        numbered = b.style in NUM_FORMATS and b.value is not None
        if b.kind == "heading" and not numbered:
            document.add_heading(b.text, level=min(max(b.level, 1), 3))
            continue
        if b.kind == "heading":
            p = document.add_heading(b.text, level=min(max(b.level, 1), 3))
        else:
            p = document.add_paragraph(b.text if numbered else marker_text(b) + b.text)
        if numbered:
            # deeper lists end when a shallower item comes
            for key in [k for k in lists if k[0] > b.level]:
                del lists[key]
            key = (b.level, b.style)
            num_id, last = lists.get(key, (None, None))
            if num_id is None or b.value != last + 1:
                num_id = numbering.new_list(b.style, b.value)
            lists[key] = (num_id, b.value)
            numbering.apply(p, num_id)
    buf = io.BytesIO()
    document.save(buf)
    out.write_bytes(_fixed_zip(buf.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed member timestamps, so a rebuild is byte-identical."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = copy.copy(info)
            new.date_time = FIXED_TIME
            dst.writestr(new, src.read(info.filename))
    return buf.getvalue()


# ---------------------------------------------------------------- HTML
def render_html(blocks: list[Block], title: str, out: Path, gb: bool) -> None:
    charset = "gb2312" if gb else "utf-8"
    parts = [f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="{charset}"><title>{html.escape(title)} - 科学技术局</title></head>',
             '<body><header class="site"><div class="logo">科学技术局门户网站</div><nav><ul>'
             '<li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li><li><a href="/tzgg/">通知公告</a></li>'
             '<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></nav>'
             '<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/tzgg/">通知公告</a></div></header>',
             '<main><article class="content">']
    for b in blocks:
        if b.kind == "title":
            parts.append(f"<h1>{html.escape(b.text)}</h1><div class='meta'>发布时间：2024-01-01 来源：科学技术局</div>")
        elif b.kind == "heading":
            tag = "h2" if b.level <= 1 else "h3"
            parts.append(f"<{tag}>{html.escape(marker_text(b) + b.text)}</{tag}>")
        elif b.kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in b.rows)
            parts.append(f"<table border='1'><tbody>{rows}</tbody></table>")
        else:
            parts.append(f"<p>{html.escape(marker_text(b) + b.text)}</p>")
    parts.append('</article></main><footer><p>版权所有：科学技术局 | 网站标识码 6500000001 | ICP备案号 新ICP备00000000号</p>'
                 '<p><a href="/sitemap/">网站地图</a> | <a href="/contact/">联系我们</a></p></footer></body></html>\n')
    out.write_bytes("".join(parts).encode("gb18030" if gb else "utf-8"))


def libreoffice_pdf(docx: Path, out_dir: Path) -> Path | None:
    """The DOCX converted to PDF by LibreOffice (retried when it writes nothing), None without it."""
    from extractors.formats.libreoffice import convert, soffice

    return convert(docx, "pdf", out_dir, timeout=300) if soffice() else None


def render_all(out_dir: Path, corpus: Path = ROOT / "corpus", with_libreoffice: bool = False,
               stems: list[str] | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    for src in sorted(corpus.glob("*.txt")):
        if stems is not None and src.stem not in stems:
            continue
        raw = src.read_text(encoding="utf-8")
        blocks = blocks_of(raw)
        title = next(b.text for b in blocks if b.kind == "title")
        for ext, fn in (("pdf", render_pdf), ("docx", render_docx)):
            path = out_dir / f"{src.stem}.{ext}"
            fn(blocks, title, path)
            made.append(path)
        path = out_dir / f"{src.stem}.html"
        render_html(blocks, title, path, src.stem in GB_HTML)
        made.append(path)
        if with_libreoffice:
            lo = libreoffice_pdf(out_dir / f"{src.stem}.docx", out_dir / "libreoffice")
            if lo:
                made.append(lo)
    return made


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--libreoffice", action="store_true", help="also convert each DOCX to PDF with LibreOffice")
    args = ap.parse_args(argv)
    for p in render_all(args.out_dir, args.corpus, args.libreoffice):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
