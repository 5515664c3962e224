"""The review site is faithful to the spans, lists every file of the run, shows PDF guides page by
page, and opens in Chromium."""
from __future__ import annotations

import shutil

import lxml.html
import pytest

from pipeline.products.records import ledger, load
from pipeline.products.review import items_of, write_site
from tests.conftest import CORPUS, STEMS, chromium

K2022 = "003_b20fb3b92bb753f0"


@pytest.fixture(scope="module")
def site(records, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    write_site(list(records.values()), folder)
    return folder


@pytest.fixture(scope="module")
def run_site(prefect_harness, renderings, tmp_path_factory):
    """A real run over a folder a user might have: the 2022 Karamay guide as text and as PDF, a
    second copy of the text, a damaged PDF and an empty web page; then the review site of it."""
    from pipeline.run.flow import run_corpus

    corpus = tmp_path_factory.mktemp("mixed")
    shutil.copy(CORPUS / f"{K2022}.txt", corpus / "karamay_2022.txt")
    shutil.copy(CORPUS / f"{K2022}.txt", corpus / "karamay_2022_copy.txt")
    shutil.copy(renderings / f"{K2022}.pdf", corpus / "karamay_2022.pdf")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n")
    (corpus / "empty.html").write_text("<html><head><title></title></head><body></body></html>", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    run_corpus(corpus, out, workers=2, exports=())
    write_site(load(out), out / "report", ledger(out))
    return out


def _doc(path):
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def test_index_lists_every_guide(site, records):
    doc = _doc(site / "index.html")
    links = doc.xpath("//a/@href")
    assert sorted(links) == sorted(f"guides/{g.id}.html" for g in records.values())
    assert "5–1000万元" in doc.text_content()  # Karamay 2022: 5-20万 (talent) up to 200-1000万 (major)


def test_index_lists_every_ledger_row_with_its_file_format_and_reason(run_site):
    doc = _doc(run_site / "report" / "index.html")
    rows = {r.xpath("string(td[1])"): r for r in doc.xpath("//tr[td]")}
    assert sorted(rows) == ["broken.pdf", "empty.html", "karamay_2022.pdf", "karamay_2022.txt", "karamay_2022_copy.txt"]
    assert [rows[f].get("class") for f in sorted(rows)] == ["failed", "partial", "ok", "ok", "skipped"]
    assert "PDF_" in rows["broken.pdf"].xpath("string(td[3])")
    assert "DUPLICATE" in rows["karamay_2022_copy.txt"].xpath("string(td[3])")
    assert "NO_TEXT" in rows["empty.html"].xpath("string(td[3])")
    assert rows["karamay_2022.pdf"].xpath("string(td[2])") == "pdf"
    # the PDF and the text are two rows with their own pages, not two identical lines
    pdf_link, txt_link = (rows[f].xpath("td[6]/a/@href")[0] for f in ("karamay_2022.pdf", "karamay_2022.txt"))
    assert pdf_link != txt_link
    # labels in Chinese with the field name beside
    head = doc.xpath("//tr[th]")[0]
    assert "文件file" in head.text_content() and "状态status" in head.text_content()


def test_partial_conversion_is_marked_on_its_page(run_site):
    (row,) = [r for r in ledger(run_site) if r["path"] == "empty.html"]
    page = _doc(run_site / "report" / "guides" / f"{row['guide_id']}.html")
    assert page.xpath("//nav//span[@class='badge partial']")
    assert "NO_TEXT" in page.xpath("string(//nav)")


def test_pdf_guide_is_shown_page_by_page_with_its_furniture_dimmed(run_site):
    (g,) = [g for g in load(run_site) if g.source.format == "pdf"]
    doc = _doc(run_site / "report" / "guides" / f"{g.id}.html")
    breaks = doc.xpath("//article//span[@class='pg']")
    assert [b.get("id") for b in breaks] == [f"page-{k}" for k in range(1, 9)]
    page3 = doc.xpath("//span[@id='page-3']")[0]
    dimmed = [s.text_content() for s in page3.xpath("span[@class='furn']")]
    assert dimmed == ["第2页", "2022年度克拉玛依市科技计划储备项目申报指南"]  # page 2's number, page 3's header
    # the running header is not part of the text: without the page breaks the article is the text
    article = doc.xpath("//article")[0]
    for b in article.xpath(".//span[@class='pg']"):
        b.drop_tree()
    assert "".join(article.itertext()) == g.text
    # the programme on page 7 follows the page-7 break
    html = (run_site / "report" / "guides" / f"{g.id}.html").read_text(encoding="utf-8")
    p7 = next(p for p in g.programs if p.name == "技术创新引导计划")
    assert html.index("id='page-7'") < html.index(f'id="{p7.id}"') < html.index("id='page-8'")
    assert "p.7" in doc.xpath("string(//nav)")


def test_stale_pages_are_removed(records, tmp_path):
    guides = list(records.values())
    write_site(guides, tmp_path)
    gone = guides[0]
    assert (tmp_path / "guides" / f"{gone.id}.html").is_file()
    write_site(guides[1:], tmp_path)
    assert not (tmp_path / "guides" / f"{gone.id}.html").exists()
    assert len(list((tmp_path / "guides").glob("*.html"))) == len(guides) - 1


@pytest.mark.parametrize("stem", STEMS)
def test_every_highlight_holds_exactly_its_evidence(site, records, stem):
    g = records[stem]
    doc = _doc(site / "guides" / f"{g.id}.html")
    items = {it.key: it for it in items_of(g)[0]}
    marks = doc.xpath("//mark")
    assert marks
    for m in marks:
        it = items[m.get("id")]
        assert "".join(m.itertext()) == g.text[it.start:it.end]
        assert m.get("class").split()[0] == it.label
    # the article is the whole text, unchanged
    assert "".join(doc.xpath("//article")[0].itertext()) == g.text
    # every value in the panel links to a mark that exists
    ids = {m.get("id") for m in marks}
    hrefs = [h[1:] for h in doc.xpath("//nav//a/@href")]
    assert hrefs and set(hrefs) <= ids
    # anchors are the record's ids: programmes by id, requirements by their stable id
    assert {p.id for p in g.programs} <= ids
    assert {r.id for p in g.programs for r in p.requirements} <= set(items)


def test_items_to_check_stand_out(site, records):
    g = records[K2022]
    doc = _doc(site / "guides" / f"{g.id}.html")
    dashed = ["".join(m.itertext()) for m in doc.xpath("//mark[contains(@class, 'check')]")]
    assert "其他条件按《克拉玛依市科技计划项目管理办法》执行。" in dashed  # a requirement left as text
    assert not any("至少 3 家" in t for t in dashed)                      # parsed into constraints
    # constraints were read from the 1977 clause, but its 女性 relaxation is another branch: kept as text
    (either,) = [m for m in doc.xpath("//mark[contains(@class, 'requirement')]") if "1977年 1月1日" in m.text_content()]
    assert "check" in either.get("class") and "either/or or relaxation kept as text" in either.get("title")


def test_review_page_opens_in_headless_chromium(site, records, tmp_path):
    g = records[K2022]
    page = (site / "guides" / f"{g.id}.html").as_uri() + "#e5"
    dom = chromium("--dump-dom", page, profile=tmp_path / "profile")
    assert dom.returncode == 0 and 'class="requirement' in dom.stdout and "重大科技专项" in dom.stdout
    shot = tmp_path / "review.png"
    assert chromium(f"--screenshot={shot}", "--window-size=1280,820", page, profile=tmp_path / "profile").returncode == 0
    assert shot.stat().st_size > 50_000


def test_pdf_review_page_opens_in_headless_chromium(run_site, tmp_path):
    (g,) = [g for g in load(run_site) if g.source.format == "pdf"]
    page = (run_site / "report" / "guides" / f"{g.id}.html").as_uri() + "#page-3"
    dom = chromium("--dump-dom", page, profile=tmp_path / "profile")
    assert dom.returncode == 0 and 'id="page-3"' in dom.stdout and "第 3 页" in dom.stdout
    shot = tmp_path / "review-pdf.png"
    assert chromium(f"--screenshot={shot}", "--window-size=1280,820", page, profile=tmp_path / "profile").returncode == 0
    assert shot.stat().st_size > 50_000
