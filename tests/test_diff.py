"""Diff and compare on records produced by the pipeline's run (not hand-made fixtures)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.diff import MIRROR, diff
from schemas import Diff, Guide
from tests.conftest import CORPUS, ROOT, chromium

K2017, K2022, X2024 = "000_8708816bca33718b", "003_b20fb3b92bb753f0", "002_1d24a9c214daa895"


@pytest.fixture(scope="module")
def run_records(prefect_harness, tmp_path_factory):
    """The corpus through `run_corpus` (the flow `zhinan run` runs); records by source stem."""
    from pipeline.flow import run_corpus

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
    assert "major_project,西宁市,630100,2024" in csv_text and "100-500万元" in csv_text
    html = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "克拉玛依市：逐年变化" in html and "2017 → 2022" in html


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
