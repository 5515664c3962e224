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


def _main_lines(markup: str) -> list[str]:
    """trafilatura's main content of the page, one line per paragraph, list item or table row:
    used only to say where the guide starts and ends on the page (site chrome cut away)."""
    import trafilatura

    try:
        xml = trafilatura.extract(markup, output_format="xml", include_tables=True, include_formatting=False,
                                  include_links=False, include_images=False, include_comments=False,
                                  favor_recall=True, deduplicate=False)
    except (RecursionError, ValueError):
        return []
    if not xml:
        return []
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(huge_tree=True))
    return [text for el in root.iter("head", "p", "item", "row") if (text := "".join(el.itertext())).strip()]


BLOCK = {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
         "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
         "hr", "html", "legend", "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
         "th", "thead", "tr", "ul"}
SKIP = {"-comment", "head", "script", "style", "noscript", "template", "nav", "footer", "select", "button", "iframe",
        "svg", "object", "math", "textarea"}
_BLOCKS_IN_CELL = "p,div,br,li,table,ul,ol,h1,h2,h3,h4,h5,h6,section,article"
_WS = re.compile(r"\s+")
_CELL = "\x00"  # between the cells of a row while it is built (NUL is removed from the page first)
MAX_DEPTH_FOR_MAIN = 200  # libxml2, under trafilatura, stops building the tree at 256 levels


def page_lines(markup: str) -> tuple[list[str], int]:
    """Every line of the page as a browser lays it out: a block element (paragraph, heading,
    division, list item) or a `<br>` ends a line; a table row whose cells hold only inline content
    is one line, its cells two spaces apart; a layout table whose cells hold paragraphs gives their
    lines. Navigation, footers, scripts and forms are left out. Lexbor parses the page (HTML5 rules,
    no depth limit: 10,000 nested divisions keep all their paragraphs) and the walk uses no
    recursion. Returns the lines and the deepest nesting met."""
    from selectolax.lexbor import LexborHTMLParser

    root = LexborHTMLParser(markup).root
    lines: list[str] = []
    cur: list[str] = []
    inline_rows: set[int] = set()
    depth = deepest = 0

    def flush() -> None:
        line = _WS.sub(" ", "".join(cur)).strip()
        cur.clear()
        if line:
            lines.append(line)

    node = root
    while node is not None:
        tag = node.tag
        descend = False
        if tag == "-text":
            cur.append(node.text(deep=False) or "")
        elif tag == "br":
            flush()
        elif tag in SKIP:
            pass
        elif tag in ("td", "th") and node.parent is not None and node.parent.mem_id in inline_rows:
            if "".join(cur).strip():
                cur.append(_CELL)  # kept apart from spaces the collapse would merge
            descend = True
        else:
            if tag == "tr" and node.css_first(_BLOCKS_IN_CELL) is None:
                inline_rows.add(node.mem_id)
            if tag in BLOCK:
                flush()
            descend = True
        if descend and node.child is not None:
            node = node.child
            depth += 1
            deepest = max(deepest, depth)
            continue
        while node is not None:  # the node is done: close it and its finished ancestors
            if node.tag in BLOCK and not (node.tag in ("td", "th") and node.parent is not None
                                          and node.parent.mem_id in inline_rows):
                flush()
            if node is root:
                node = None
                break
            if node.next is not None:
                node = node.next
                break
            node = node.parent
            depth -= 1
    flush()
    return [line.replace(_CELL, "  ") for line in lines], deepest


def _key(line: str) -> str:
    return _WS.sub("", line)


MATCH_WINDOW = 50_000  # characters of the main content searched ahead for one page line


def _main_content(lines: list[str], main: list[str]) -> list[int] | None:
    """Indices of the page lines that are trafilatura's main content. trafilatura says *what* the
    guide is (site chrome around and inside it cut away) but may merge paragraphs into one line;
    the page's own lines say how it is laid out. From the line where the main content starts, a
    page line is kept when its text (spaces ignored) is found in the main content at or after
    where the previous kept line was found, within MATCH_WINDOW characters (or is one of its
    paragraphs exactly): linear in the page, order preserved."""
    if not main:
        return None
    content = "\x01".join(_key(x) for x in main)
    exact = set(content.split("\x01"))
    first = _key(main[0])
    # the main content starts at its first paragraph: a menu item before it that happens to be a
    # phrase of the guide (`研发费用加计扣除`) is not the start
    start = next((i for i, x in enumerate(lines) if (k := _key(x)) and (first.startswith(k) or k.startswith(first))), 0)
    kept, cursor = [], 0
    for i in range(start, len(lines)):
        k = _key(lines[i])
        if not k:
            continue
        at = content.find(k, cursor, cursor + len(k) + MATCH_WINDOW)
        if at < 0 and k in exact:
            at = content.find(k)
        if at >= 0:
            kept.append(i)
            if at >= cursor:  # an exact paragraph found before the cursor does not move it back
                cursor = at + len(k)
    return kept or None


def _h1(markup: str) -> str | None:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", markup, re.S | re.I)
    h1 = re.sub(r"<[^>]+>|\s+", "", m.group(1)) if m else ""
    return h1 or None


def read_html(data: bytes, path) -> Extracted:
    markup, encoding = decode_html(data, path)
    if "<" not in markup:
        raise IngestError("WRONG_TYPE", f"{path} is named .html but holds no markup")
    markup = _END_BR.sub("<br/>", markup)  # browsers (and the HTML spec) read `</br>` as a line break
    # a page typed as lines without <br>: a source line break after a sentence end, or before an
    # enumeration marker, is the author's paragraph break (`…业务部。\n申请材料要求 <br />`)
    markup = _SOURCE_BREAK.sub("<br/>", markup)
    lines, deepest = page_lines(markup.replace(_CELL, ""))
    issues = []
    if deepest > MAX_DEPTH_FOR_MAIN:
        where = None
        issues.append(("DEEP_NESTING", f"elements nested {deepest} deep: the page's whole body text was used, "
                       "site chrome included", None))
    else:
        where = _main_content(lines, _main_lines(markup))
        if where is None:
            issues.append(("NO_MAIN_CONTENT", "no main content found; the page's whole body text was used", None))
    if where is not None:
        h1 = _h1(markup)
        lines = [lines[i] for i in where]
        if h1 is not None and not any(_key(x) == h1 for x in lines[:3]):
            lines.insert(0, h1)  # the page's title (trafilatura often leaves it out), once
    builder = TextBuilder(with_pages=False)
    for ln in lines:
        builder.add(ln)
    text, _ = builder.result()
    if not text.strip():
        issues.append(("NO_TEXT", "the page has no readable text", None))
    return Extracted(text=text, encoding=encoding, issues=issues)
