"""Mutations of guide files that keep enough structure for a parser to go deep: byte-level damage
for any file, object- and stream-level damage for PDF, XML-level damage inside a Word package, and
encoding-level damage for text. Every mutation is a function of a `random.Random`, so a seed
reproduces an input exactly."""
from __future__ import annotations

import io
import random
import re
import zipfile

# tokens a damaged PDF tends to hold: other filters, broken numbers, odd names
PDF_TOKENS = [b"/ASCII85Decode", b"/ASCIIHexDecode", b"/LZWDecode", b"/RunLengthDecode", b"/FlateDecode",
              b"/DCTDecode", b"/JBIG2Decode", b"/Crypt", b"/DescendantFonts", b"/Type0", b"/Identity-H",
              b"<~", b"~>", b"\\777", b"-1", b"99999999999", b"0 0 R", b"null", b"[", b"]", b"<<", b">>",
              b"(", b")", b"/Length 0", b"endstream", b"stream\n", b"obj", b"endobj", b"xref", b"trailer"]
XML_VALUES = ["x", "-1", "", "99999999999", "0", "1.5", "%1%2%3", "\u0000", "&amp;", "w:p"]
TEXT_BYTES = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xe2\x80\x8b", b"\xe2\x80\x8e", b"\xc2\xad", b"\x00", b"\r", b"\x1b",
              "第一章".encode(), "（一）".encode(), "1.".encode(), "万元".encode(), "\n".encode()]


def flip(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def cut(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, max(1, len(data) // 20)))
    return data[:i] + data[j:]


def duplicate(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 4096))
    k = rng.randrange(len(data))
    return data[:k] + data[i:j] * rng.randint(1, 8) + data[k:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(1, len(data)))]


def insert_token(data: bytes, rng: random.Random, tokens: list[bytes]) -> bytes:
    k = rng.randrange(len(data) + 1)
    return data[:k] + rng.choice(tokens) + data[k:]


def pdf_token_swap(data: bytes, rng: random.Random) -> bytes:
    """Replace one PDF token (a name, a number, a keyword) by another one."""
    spots = [m.span() for m in re.finditer(rb"/[A-Za-z0-9]+|\b\d+\b|\bobj\b|\bR\b", data[:2_000_000])]
    if not spots:
        return flip(data, rng)
    for _ in range(rng.randint(1, 4)):
        i, j = rng.choice(spots)
        if j <= len(data):
            data = data[:i] + rng.choice(PDF_TOKENS) + data[j:]
    return data


def pdf_mutants(data: bytes, rng: random.Random) -> bytes:
    op = rng.choice([flip, cut, duplicate, truncate, pdf_token_swap, pdf_token_swap,
                     lambda d, r: insert_token(d, r, PDF_TOKENS)])
    return op(data, rng)


def _rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, raw in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), raw)
    return out.getvalue()


def xml_mutant(xml: bytes, rng: random.Random) -> bytes:
    """Damage well-formed XML the way a buggy writer does: attribute values, dropped or repeated
    elements, moved text, or broken markup."""
    op = rng.randrange(5)
    attrs = [m.span(1) for m in re.finditer(rb'="([^"]*)"', xml)]
    tags = [m.span() for m in re.finditer(rb"<w:[A-Za-z]+[^>]*/>", xml)]
    if op == 0 and attrs:
        i, j = rng.choice(attrs)
        return xml[:i] + rng.choice(XML_VALUES).encode() + xml[j:]
    if op == 1 and tags:
        i, j = rng.choice(tags)
        return xml[:i] + xml[j:]
    if op == 2 and tags:
        i, j = rng.choice(tags)
        return xml[:j] + xml[i:j] * rng.randint(2, 50) + xml[j:]
    if op == 3:
        wrappers = [b"w:ins", b"w:smartTag", b"w:customXml", b"w:sdtContent", b"w:fldSimple", b"w:del", b"w:hyperlink"]
        runs = [m.span() for m in re.finditer(rb"<w:r>.*?</w:r>", xml[:2_000_000], re.S)]
        if runs:
            i, j = rng.choice(runs)
            w = rng.choice(wrappers)
            return xml[:i] + b"<" + w + b">" + xml[i:j] + b"</" + w + b">" + xml[j:]
    return flip(xml, rng)


def docx_mutants(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.3:
        return rng.choice([flip, cut, truncate, duplicate])(data, rng)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = {i.filename: zf.read(i) for i in zf.infolist()}
    except Exception:
        return flip(data, rng)
    name = rng.choice(sorted(n for n in members if n.endswith((".xml", ".rels"))))
    if rng.random() < 0.6 and "word/document.xml" in members:
        name = "word/document.xml" if rng.random() < 0.7 else rng.choice(
            [n for n in ("word/numbering.xml", "word/styles.xml", "_rels/.rels") if n in members] or [name])
    members[name] = xml_mutant(members[name], rng)
    if rng.random() < 0.05:
        members.pop(rng.choice(sorted(members)))
    return _rezip(members)


def text_mutants(data: bytes, rng: random.Random) -> bytes:
    op = rng.randrange(6)
    if op == 0:
        text = data.decode("utf-8", "replace")
        enc = rng.choice(["gb18030", "utf-16-le", "utf-16-be", "big5", "utf-16"])
        return text.encode(enc, "replace")
    if op == 1:  # invisible characters at line starts
        mark = rng.choice(["\u200b", "\u200e", "\ufeff", "\u00ad", "\u200f"]).encode()
        return b"\n".join(mark + line if rng.random() < 0.5 else line for line in data.split(b"\n"))
    if op == 2:
        return insert_token(data, rng, TEXT_BYTES)
    return rng.choice([flip, cut, duplicate, truncate])(data, rng)


MUTATORS = {".pdf": pdf_mutants, ".docx": docx_mutants, ".txt": text_mutants, ".html": text_mutants}
