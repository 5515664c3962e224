"""Diff and compare on records produced by the pipeline's run (not hand-made fixtures)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.products.diff import MIRROR, diff
from schemas import Diff, Guide
from tests.conftest import CORPUS, ROOT, chromium

K2017, K2022, X2024 = "000_8708816bca33718b", "003_b20fb3b92bb753f0", "002_1d24a9c214daa895"


@pytest.fixture(scope="module")
def run_records(prefect_harness, tmp_path_factory):
    """The corpus through `run_corpus` (the flow `zhinan run` runs); records by source stem."""
    from pipeline.run.flow import run_corpus

    out = tmp_path_factory.mktemp("run")
    run_corpus(CORPUS, out, workers=2)
    guides = [Guide.model_validate_json(f.read_text(encoding="utf-8")) for f in (out / "guides").glob("*.json")]
    return out, {g.source.path.rsplit(".", 1)[0]: g for g in guides}


def changes(d: Diff, kind: str, program: str | None = None):
    return [c for c in d.changes if c.kind == kind and (program is None or c.program == program)]


def test_karamay_2017_to_2022(run_records):
    _, r = run_records
    d = diff(r[K2017], r[K2022])
    pairs = {(p.old_name, p.new_name) for p in d.pairs}
    assert ("科技重大专项", "重大科技专项") in pairs and ("创新人才工程", "创新人才工程项目") in pairs
    major = "重大科技专项"
    assert not [c for c in d.changes if c.program == major and c.kind.startswith("funding_")]  # 200-1000万元 kept
    assert [(c.old, c.new) for c in changes(d, "mode_dropped", major)] == [("equity", None)]
    (cof,) = changes(d, "cofunding_tightened", major)
    assert (cof.field, cof.old, cof.new) == ("share_of_total", 0.7, 0.8)
    assert "70%" in cof.old_evidence.text and "80%" in cof.new_evidence.text
    (age,) = [c for c in changes(d, "constraint_tightened", "创新人才工程项目") if c.field == "birth_date"]
    assert (age.old, age.new) == ("1972-01-01", "1977-01-01")
    assert "1972年1月以后" in age.old_evidence.text and "1977年 1月1日以后出生" in age.new_evidence.text
    assert [c.new for c in changes(d, "program_added")] == ["重点研发计划", "技术创新引导计划", "软科学研究项目"]
    removed = [c.old for c in changes(d, "program_removed")]
    assert "专利实施计划" in removed and "科技合作交流专项" in removed
    for c in d.changes:  # every change cites evidence, and the evidence is the record's text
        for ev, g in ((c.old_evidence, r[K2017]), (c.new_evidence, r[K2022])):
            if ev is not None:
                assert g.text[ev.span.start:ev.span.end] == ev.text
        assert c.old_evidence or c.new_evidence


def test_xining_2024_against_karamay_2022_lines_up_major_programmes(run_records):
    _, r = run_records
    d = diff(r[X2024], r[K2022])
    (pair,) = [p for p in d.pairs if p.category == "major_project"]
    assert (pair.old_name, pair.new_name) == ("重大科技专项", "重大科技专项")
    got = {(c.kind, c.old, c.new) for c in d.changes if c.program == "重大科技专项" and c.kind.startswith("funding_")}
    assert got == {("funding_max_raised", 5_000_000, 10_000_000), ("funding_min_raised", 1_000_000, 2_000_000)}


@pytest.mark.parametrize("stem", [K2017, K2022, X2024])
def test_a_guide_diffed_with_itself_has_no_changes(run_records, stem):
    _, r = run_records
    d = diff(r[stem], r[stem])
    assert d.changes == [] and all(p.old == p.new and p.old is not None for p in d.pairs)


@pytest.mark.parametrize("a,b", [(K2017, K2022), (X2024, K2022), ("001_8a01d161eb730573", "004_f341f958e9ff6538")])
def test_diff_is_mirrored(run_records, a, b):
    _, r = run_records

    def key(c, mirror=False):
        kind = MIRROR.get(c.kind, c.kind) if mirror else c.kind
        old, new = (c.new, c.old) if mirror else (c.old, c.new)
        ev = (c.new_evidence, c.old_evidence) if mirror else (c.old_evidence, c.new_evidence)
        return (kind, c.field, json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False),
                tuple(e.span.start if e else None for e in ev))

    forward = sorted(key(c) for c in diff(r[a], r[b]).changes)
    backward = sorted(key(c, mirror=True) for c in diff(r[b], r[a]).changes)
    assert forward == backward and forward


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_formats(run_records, tmp_path):
    out, r = run_records
    a, b = r[K2017].id, r[K2022].id
    j = _cli("diff", a, b, "--records", str(out), "--format", "json")
    assert j.returncode == 0, j.stderr
    d = Diff.model_validate_json(j.stdout)
    assert d.schema_version == "1.0" and d.old.year == 2017 and d.new.year == 2022
    md = _cli("diff", a, b, "--records", str(out), "--format", "markdown")
    assert "| 自筹要求提高 | 重大科技专项 |" in md.stdout
    page = tmp_path / "diff.html"
    h = _cli("diff", a, b, "--records", str(out), "--format", "html", "-o", str(page))
    assert h.returncode == 0 and "修订对照表" in page.read_text(encoding="utf-8")
    t = _cli("diff", a, b, "--records", str(out))
    assert "自筹要求提高" in t.stdout and "programmes aligned" in t.stdout


def test_compare_tables_chart_and_timeline(run_records, tmp_path):
    out, _ = run_records
    res = _cli("compare", "--records", str(out), "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    csv_text = (tmp_path / "compare.csv").read_text(encoding="utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("category,region,region_code,year")
    assert len(lines) == 1 + sum(len(g.programs) for g in run_records[1].values())
    assert "major_project,西宁市,630100,2024" in csv_text and "100–500万元" in csv_text
    html = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "<svg" in html
    assert "克拉玛依市：逐年变化" in html and "2017 → 2022" in html


def test_a_ceiling_the_old_guide_did_not_state_is_new_not_lowered(run_records):
    """Xining 2024 gives 重点研发与转化计划 no amount; Karamay 2022's 重点研发计划 says 50-200万元."""
    from pipeline.products.diff_page import KIND_LABEL

    _, r = run_records
    d = diff(r[X2024], r[K2022])
    got = {(c.kind, c.old, c.new) for c in d.changes if c.program == "重点研发计划" and c.kind.startswith("funding_")}
    assert got == {("funding_max_added", None, 2_000_000), ("funding_min_added", None, 500_000)}
    assert KIND_LABEL["funding_max_added"] == "新增上限"
    back = {c.kind for c in diff(r[K2022], r[X2024]).changes if c.program == "重点研发与转化计划"
            and c.kind.startswith("funding_")}
    assert back == {"funding_max_removed", "funding_min_removed"}


def test_funding_without_an_amount_reads_plainly(run_records):
    _, r = run_records
    d = diff(r[K2017], r[K2022])
    (gone,) = changes(d, "funding_removed", "创新环境建设计划")
    assert gone.summary == "创新环境建设计划: funding (no amount stated) removed"
    assert not any("—–—" in c.summary for c in d.changes)


def test_diff_page_is_grouped_by_programme_and_links_to_the_review_pages(run_records, tmp_path):
    import lxml.html

    out, r = run_records
    assert _cli("report", "--records", str(out)).returncode == 0
    page = tmp_path / "diff.html"
    assert _cli("diff", r[K2017].id, r[K2022].id, "--records", str(out), "--format", "html", "-o", str(page)).returncode == 0
    doc = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    d = diff(r[K2017], r[K2022])
    sections = {s.get("data-program"): s for s in doc.xpath("//section[@class='prog']")}
    assert len(doc.xpath("//tr[@class='change']")) == len(d.changes)
    for c in d.changes:  # each change sits in its programme's section
        assert c.program is None or c.program in sections
    major = sections["重大科技专项"]
    assert "自筹要求提高" in major.text_content() and "mode_dropped" in major.text_content()
    assert [tr.get("data-group") for tr in major.xpath(".//tr[@class='change']")].count("funding") >= 2
    links = major.xpath(".//h2//a/@href")
    assert len(links) == 2
    for href in links:  # the old and the new guide's review pages, at the programme
        target, anchor = href.split("#")
        assert (tmp_path / target).resolve().is_file() and anchor.startswith("p")


def test_compare_draws_caps_as_caps_and_lists_programmes_without_an_amount(run_records, tmp_path):
    import lxml.html

    from pipeline.products.compare import compare_rows, shape

    out, r = run_records
    assert _cli("report", "--records", str(out)).returncode == 0
    assert _cli("compare", "--records", str(out), "--out", str(tmp_path)).returncode == 0
    html = (tmp_path / "compare.html").read_text(encoding="utf-8")
    rows = compare_rows(list(r.values()))
    caps = [x for x in rows if shape(x)[0] == "cap"]
    assert caps  # e.g. `最高不超过100万元`: a ceiling and no floor
    for x in caps:
        assert f'id="cap-{x["guide_id"]}-{x["program_id"]}"' in html
        assert f'id="range-{x["guide_id"]}-{x["program_id"]}"' not in html
    ranges = [x for x in rows if shape(x)[0] == "range"]
    assert all(f'id="range-{x["guide_id"]}-{x["program_id"]}"' in html for x in ranges)
    doc = lxml.html.fromstring(html)
    listed = doc.xpath("//h2[@id='no-amount']/following-sibling::table[1]//td[3]")
    silent = sorted(x["program"] for x in rows if shape(x)[0] == "none")
    assert silent and sorted(td.text_content() for td in listed) == silent
    assert "创新环境建设计划" in silent
    # Chinese labels, the field name beside; no bare English headings
    assert "按类别" in doc.text_content() and "按 category" not in html
    # programme names link to their evidence on the review site
    links = doc.xpath("//table//td/a/@href")
    assert links and all((tmp_path / h.split("#")[0]).resolve().is_file() for h in links)


def test_html_pages_open_in_headless_chromium(run_records, tmp_path):
    out, r = run_records
    _cli("diff", r[K2017].id, r[K2022].id, "--records", str(out), "--format", "html", "-o", str(tmp_path / "diff.html"))
    _cli("compare", "--records", str(out), "--out", str(tmp_path))
    for page, needle in (("diff.html", "修订对照表"), ("compare.html", "指南比较")):
        dom = chromium("--dump-dom", (tmp_path / page).as_uri(), profile=tmp_path / "profile")
        assert dom.returncode == 0 and needle in dom.stdout
        shot = tmp_path / f"{page}.png"
        done = chromium(f"--screenshot={shot}", "--window-size=1200,900", (tmp_path / page).as_uri(),
                        profile=tmp_path / "profile")
        assert done.returncode == 0 and shot.stat().st_size > 10_000


def test_diff_filter_runs_in_chromium(run_records, tmp_path):
    """`diff.html#q=重大科技专项` opens with only that programme's changes shown."""
    import lxml.html

    out, r = run_records
    page = tmp_path / "diff.html"
    _cli("diff", r[K2017].id, r[K2022].id, "--records", str(out), "--format", "html", "-o", str(page))
    dom = chromium("--dump-dom", page.as_uri() + "#q=重大科技专项", profile=tmp_path / "profile")
    assert dom.returncode == 0
    doc = lxml.html.fromstring(dom.stdout)
    sections = doc.xpath("//section[@class='prog']")
    shown = [s for s in sections if s.get("hidden") is None]
    assert shown[0].get("data-program") == "重大科技专项" and len(shown) < len(sections) / 2
    n = len([c for c in diff(r[K2017], r[K2022]).changes if c.program == "重大科技专项"])
    assert len(shown[0].xpath(".//tr[@class='change'][not(@hidden)]")) == n
    for s in shown[1:]:  # another programme's (or guide-wide) section shows only rows that name it
        visible = s.xpath(".//tr[@class='change'][not(@hidden)]")
        assert visible and all("重大科技专项" in tr.text_content() for tr in visible)
    total = len(doc.xpath("//tr[@class='change'][not(@hidden)]"))
    assert doc.xpath("string(//span[@id='shown'])") == str(total)
    by_kind = chromium("--dump-dom", page.as_uri() + "#kind=deadline", profile=tmp_path / "profile")
    rows = lxml.html.fromstring(by_kind.stdout).xpath("//tr[@class='change'][not(@hidden)]")
    assert rows and all(tr.get("data-group") == "deadline" for tr in rows)
