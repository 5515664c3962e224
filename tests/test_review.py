"""The review site is faithful to the spans, links every value to its evidence, and opens in Chromium."""
from __future__ import annotations

import lxml.html
import pytest

from pipeline.review import items_of, write_site
from tests.conftest import STEMS, chromium


@pytest.fixture(scope="module")
def site(records, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    write_site(list(records.values()), folder)
    return folder


def test_index_lists_every_guide(site, records):
    doc = lxml.html.fromstring((site / "index.html").read_text(encoding="utf-8"))
    links = doc.xpath("//a/@href")
    assert sorted(links) == sorted(f"guides/{g.id}.html" for g in records.values())
    assert "5万 – 1000万" in doc.text_content()  # Karamay 2022: 5-20万 (talent) up to 200-1000万 (major)


@pytest.mark.parametrize("stem", STEMS)
def test_every_highlight_holds_exactly_its_evidence(site, records, stem):
    g = records[stem]
    doc = lxml.html.fromstring((site / "guides" / f"{g.id}.html").read_text(encoding="utf-8"))
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


def test_items_to_check_stand_out(site, records):
    g = records["003_b20fb3b92bb753f0"]
    doc = lxml.html.fromstring((site / "guides" / f"{g.id}.html").read_text(encoding="utf-8"))
    dashed = ["".join(m.itertext()) for m in doc.xpath("//mark[contains(@class, 'check')]")]
    assert "其他条件按《克拉玛依市科技计划项目管理办法》执行。" in dashed  # a requirement left as text
    assert not any("至少 3 家" in t for t in dashed)                      # parsed into constraints


def test_review_page_opens_in_headless_chromium(site, records, tmp_path):
    g = records["003_b20fb3b92bb753f0"]
    page = (site / "guides" / f"{g.id}.html").as_uri() + "#e5"
    dom = chromium("--dump-dom", page, profile=tmp_path / "profile")
    assert dom.returncode == 0 and 'class="requirement' in dom.stdout and "重大科技专项" in dom.stdout
    shot = tmp_path / "review.png"
    assert chromium(f"--screenshot={shot}", "--window-size=1280,820", page, profile=tmp_path / "profile").returncode == 0
    assert shot.stat().st_size > 50_000
