"""Web-page guides: the main content by trafilatura (navigation, footers and other site chrome
dropped), kept as paragraphs, list items, headings and table rows (cells joined by two spaces).

The charset declared in the page (`<meta charset>`, `http-equiv`) is tried first, strictly (gbk
and gb2312 read as their superset gb18030); otherwise the bytes go through the text decoder.
When trafilatura finds no main content, the body text less script, style, nav and footer is used.
"""
from __future__ import annotations

import re

from extractors.decode import decode_bytes
from extractors.errors import IngestError
from extractors.formats import Extracted, TextBuilder

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_END_BR = re.compile(r"</\s*br\s*>", re.I)
_SOURCE_BREAK = re.compile(
    r"(?<=[。；！？])[ \t\u3000]*\r?\n\s*(?=[^<\s])"
    r"|(?<=[^>\s])[ \t\u3000]*\r?\n\s*(?=(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[、．]))")
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "utf8": "utf-8"}


def decode_html(data: bytes, path) -> tuple[str, str]:
    m = _CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii", "ignore").lower()
        enc = _ALIASES.get(declared, declared)
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; detect instead
    d = decode_bytes(data, str(path))
    return d.text, d.encoding


def _lines_from_xml(xml: str) -> list[str]:
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    out: list[str] = []

    def text_of(el) -> str:
        return re.sub(r"\s*\n\s*", " ", "".join(el.itertext())).strip()

    def walk(el):
        for child in el:
            tag = child.tag
            if tag in ("head", "p", "quote", "item"):
                # <lb/> line breaks inside a paragraph separate lines
                parts = [child.text or ""]
                for sub in child:
                    parts.append("\n" if sub.tag == "lb" else "".join(sub.itertext()))
                    parts.append(sub.tail or "")
                out.extend(s.strip() for s in "".join(parts).split("\n") if s.strip())
            elif tag == "table":
                for row in child.iter("row"):
                    cells = [text_of(c) for c in row.iter("cell")]
                    cells = [c for c in cells if c]
                    if cells:
                        out.append("  ".join(cells))
            elif tag in ("list", "main", "doc", "div", "comments"):
                walk(child)

    walk(root)
    return out


def _fallback_lines(markup: str) -> list[str]:
    import lxml.html

    tree = lxml.html.fromstring(markup)
    for bad in tree.xpath("//script|//style|//nav|//footer|//header|//noscript"):
        bad.drop_tree()
    body = tree.find("body")
    text = (body if body is not None else tree).text_content()
    return [s.strip() for s in text.split("\n") if s.strip()]


def read_html(data: bytes, path) -> Extracted:
    import trafilatura

    markup, encoding = decode_html(data, path)
    if "<" not in markup:
        raise IngestError("WRONG_TYPE", f"{path} is named .html but holds no markup")
    markup = _END_BR.sub("<br/>", markup)  # browsers (and the HTML spec) read `</br>` as a line break
    # a page typed as lines without <br>: a source line break after a sentence end, or before an
    # enumeration marker, is the author's paragraph break (`…业务部。\n申请材料要求 <br />`)
    markup = _SOURCE_BREAK.sub("<br/>", markup)
    xml = trafilatura.extract(markup, output_format="xml", include_tables=True, include_formatting=False,
                              include_links=False, include_images=False, include_comments=False,
                              favor_recall=True, deduplicate=False)
    lines = _lines_from_xml(xml) if xml else []
    issues = []
    if not lines:
        lines = _fallback_lines(markup)
        issues.append(("NO_MAIN_CONTENT", "no main content found; the page's whole body text was used", None))
    m = re.search(r"<h1[^>]*>(.*?)</h1>", markup, re.S | re.I)
    if m:
        h1 = re.sub(r"<[^>]+>|\s+", "", m.group(1))
        if h1 and not any(h1 == re.sub(r"\s+", "", ln) for ln in lines[:3]):
            lines.insert(0, h1)
    builder = TextBuilder(with_pages=False)
    for ln in lines:
        builder.add(ln)
    text, _ = builder.result()
    return Extracted(text=text, encoding=encoding, issues=issues)
