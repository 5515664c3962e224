"""Every input the fuzz harness (fuzz/) ever found is kept in tests/data/fuzz/ and must end with
its expected outcome, never PARSER_BUG; and the security cases keep a test each: no network
request, no external entity, no file written by a zip member's path, and escaped review pages."""
from __future__ import annotations

import io
import socket
import zipfile
from pathlib import Path

import pytest

from extractors.document import extract_file, guide_from_text
from extractors.errors import IngestError
from tests.wordml import p, package

FUZZ = Path(__file__).parent / "data" / "fuzz"
# file -> expected reason code ("ok"/"partial" with the issue code for a record)
EXPECTED = {
    "html-lxml-document-is-empty.html": ("partial", "NO_TEXT"),  # was PARSER_BUG: lxml ParserError
}


def test_every_fuzz_finding_is_listed():
    assert sorted(f.name for f in FUZZ.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fuzz_finding_has_its_outcome(name):
    status, code = EXPECTED[name]
    try:
        guide = extract_file(FUZZ / name, FUZZ)
    except IngestError as exc:
        assert (status, exc.reason) == ("failed", code)
        return
    assert code in {i.code for i in guide.issues}


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(self, address, *a, **kw):
        attempts.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_web_page_with_remote_resources_makes_no_request(tmp_path, no_network):
    page = ("<html><head><link rel='stylesheet' href='http://203.0.113.9/a.css'>"
            "<script src='http://203.0.113.9/a.js'></script><meta http-equiv='refresh' content='0;url=http://203.0.113.9/'>"
            "</head><body><img src='http://203.0.113.9/x.png'><iframe src='http://203.0.113.9/'></iframe>"
            "<h1>2022年度克拉玛依市科技计划储备项目申报指南</h1><p>一、资助形式</p>"
            "<p>以事前资助形式支持，单项资助额度 200-1000 万元。</p></body></html>")
    f = tmp_path / "remote.html"
    f.write_text(page, encoding="utf-8")
    guide = extract_file(f, tmp_path)
    assert "单项资助额度 200-1000 万元" in guide.text and no_network == []


def test_word_external_entity_is_not_resolved(tmp_path, no_network):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT", encoding="utf-8")
    data = package(p("四、资助形式") + "<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>" + p("以事前资助形式支持。"))
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            members[name] = zf.read(name)
    doctype = (f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">'
               '<!ENTITY net SYSTEM "http://203.0.113.9/x">]>').encode()
    members["word/document.xml"] = members["word/document.xml"].replace(b"?>", b"?>" + doctype, 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    f = tmp_path / "xxe.docx"
    f.write_bytes(out.getvalue())
    try:
        text = extract_file(f, tmp_path).text
    except IngestError as exc:
        text = exc.message
    assert "SECRET-CONTENT" not in text and no_network == []


def test_zip_member_paths_are_never_written(tmp_path):
    data = package(p("四、资助形式") + p("以事前资助形式支持，单项资助额度 200-1000 万元。"))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("../../evil.txt", "planted")
        dst.writestr("/tmp/evil-abs.txt", "planted")
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    f = work / "slip.docx"
    f.write_bytes(out.getvalue())
    before = {x for x in tmp_path.rglob("*")}
    guide = extract_file(f, work)
    assert "单项资助额度 200-1000 万元" in guide.text
    assert {x for x in tmp_path.rglob("*")} == before
    assert not Path("/tmp/evil-abs.txt").exists()


def test_review_page_escapes_the_guide_text(tmp_path):
    from pipeline.products.review import write_site

    guide = guide_from_text("关于申报<script>alert(1)</script>科技项目的通知\n一、资助形式\n"
                            "以事前资助形式支持，单项资助额度 200-1000 万元。<img src=x onerror=alert(2)>")
    write_site([guide], tmp_path)
    pages = "".join(f.read_text(encoding="utf-8") for f in tmp_path.rglob("*.html"))
    assert "<script>alert(1)" not in pages and "<img src=x" not in pages
    assert "&lt;script&gt;alert(1)" in pages


def test_text_over_the_character_cap_is_too_large(monkeypatch):
    import extractors.document as document

    monkeypatch.setattr(document, "MAX_TEXT_CHARS", 1000)
    with pytest.raises(IngestError) as err:
        guide_from_text("以事前资助形式支持，单项资助额度 200-1000 万元。\n" * 100)
    assert err.value.reason == "TOO_LARGE" and "1,000-character cap" in err.value.message


@pytest.mark.parametrize("content,filt", [
    (b"abc\x7fdefzz!!u~>", b"/ASCII85Decode"),      # pdfminer: Non-Ascii85 digit found (was PARSER_BUG ValueError)
    (b"zz-not-hex>", b"/ASCIIHexDecode"),            # Non-hexadecimal digit found
    (b"\xff\xff\xff\xff", b"/LZWDecode"),             # IndexError inside the LZW decoder
    (b"BT (\\777\\9) Tj ET", b"/Crypt"),              # an unsupported filter
])
def test_damaged_pdf_streams_are_pdf_corrupt(tmp_path, content, filt):
    from tests.bad_inputs import _raw_pdf

    f = tmp_path / "damaged.pdf"
    f.write_bytes(_raw_pdf(content).replace(b"/Filter /FlateDecode", b"/Filter " + filt))
    with pytest.raises(IngestError) as err:
        extract_file(f, tmp_path)
    assert err.value.reason == "PDF_CORRUPT"


def test_an_exception_in_zhinans_own_code_is_still_a_parser_bug():
    from extractors.errors import raised_by

    try:
        {}["missing"]
    except KeyError as exc:
        assert raised_by(exc) == "tests"
    import base64
    try:
        base64.a85decode(b"\x7f")  # the standard library is skipped: the caller decides
    except ValueError as exc:
        assert raised_by(exc) == "tests"
