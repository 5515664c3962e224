"""Every BAD_INPUTS.md row that applies to PDF, DOCX and HTML: its reason code, and the run goes on."""
from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from pipeline.run import jobs
from pipeline.run.isolate import Limits
from tests.bad_inputs import build
from tests.conftest import CORPUS

LIMITS = Limits(seconds=60, memory_mb=700, max_pages=2000)


@pytest.fixture(scope="module")
def bad(renderings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    return folder, build(folder, renderings)


def _cases():
    # names are known without building: the list in bad_inputs.build
    return ["empty.pdf", "empty.docx", "empty.html", "page-named.pdf", "text-named.docx", "pdf-named.html",
            "truncated.pdf", "flipped.pdf", "junk-before.pdf", "user-password.pdf", "owner-password.pdf",
            "scanned-page.pdf", "scanned.pdf", "garbled-page.pdf", "flate-bomb.pdf", "truncated.docx",
            "flipped-member.docx", "legacy.docx", "password.docx", "missing-part.docx", "bad-xml.docx",
            "zip-bomb.docx", "tables-only.docx", "binary.html"]


@pytest.mark.parametrize("name", _cases())
def test_reason_code(bad, tmp_path, name):
    folder, cases = bad
    entry = jobs.process(folder / name, folder, tmp_path, None, True, LIMITS)
    assert (entry.status, entry.reason) == cases[name]
    if entry.status == "failed":
        assert name in entry.message and entry.error_class
        assert not (tmp_path / "guides").exists()  # nothing half-written
    else:
        assert (tmp_path / entry.output).is_file()


def test_owner_password_is_read_but_flagged(bad, tmp_path):
    folder, _ = bad
    entry = jobs.process(folder / "owner-password.pdf", folder, tmp_path, None, True, LIMITS)
    record = json.loads((tmp_path / entry.output).read_text(encoding="utf-8"))
    assert "PDF_OWNER_PASSWORD" in [i["code"] for i in record["issues"]]
    assert record["title"].startswith("乌鲁木齐市2024年度")


def test_text_only_in_tables_and_headers_is_kept(bad, tmp_path):
    folder, _ = bad
    entry = jobs.process(folder / "tables-only.docx", folder, tmp_path, None, True, LIMITS)
    record = json.loads((tmp_path / entry.output).read_text(encoding="utf-8"))
    assert record["text"].splitlines()[0] == "关于申报2017年市科技计划项目的通知"
    assert "联 系 人：  徐玮 景毅" in record["text"]
    assert record["furniture"] == [{"kind": "header", "page": None, "text": "克拉玛依市科学技术局文件"}]


def test_hung_parser_is_killed(tmp_path, monkeypatch):
    shutil.copy(CORPUS / "004_f341f958e9ff6538.txt", tmp_path)
    monkeypatch.setenv("ZHINAN_WORKER_FAULT", "hang")
    entry = jobs.process(tmp_path / "004_f341f958e9ff6538.txt", tmp_path, tmp_path / "out", None, True,
                         Limits(seconds=3, memory_mb=700))
    assert (entry.status, entry.reason) == ("failed", "TIMEOUT")


def test_page_cap_marks_the_record_partial(renderings, tmp_path):
    entry = jobs.process(renderings / "003_b20fb3b92bb753f0.pdf", renderings, tmp_path, None, True,
                         Limits(seconds=60, memory_mb=1536, max_pages=2))
    assert (entry.status, entry.reason) == ("partial", "PAGE_LIMIT")
    record = json.loads((tmp_path / entry.output).read_text(encoding="utf-8"))
    assert record["source"]["pages"] == 8
    assert max(s["span"]["page"] for s in record["outline"]) == 2


def test_run_over_corpus_renderings_and_bad_files_accounts_for_every_file(prefect_harness, bad, renderings, tmp_path,
                                                                          monkeypatch):
    from pipeline.run.flow import run_corpus

    folder, cases = bad
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(folder, corpus / "bad")
    for f in renderings.glob("*.*"):
        shutil.copy(f, corpus / f.name)
    out = tmp_path / "out"
    summary = run_corpus(corpus, out, workers=2, limits=LIMITS)
    rows = [json.loads(x) for x in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    assert sorted(r["path"] for r in rows) == files
    assert summary.discovered == len(files) == sum(summary.counts.values())
    by = {r["path"]: r for r in rows}
    first_of: dict[str, str] = {}
    for path in files:  # the same bytes twice: the later file is a listed duplicate
        data = (corpus / path).read_bytes()
        if data:
            first_of.setdefault(hashlib.sha256(data).hexdigest(), path)
    for name, (status, reason) in cases.items():
        data = (corpus / "bad" / name).read_bytes()
        first = first_of.get(hashlib.sha256(data).hexdigest()) if data else None
        if first and first != f"bad/{name}":
            status, reason = "skipped", "DUPLICATE"
        assert (by[f"bad/{name}"]["status"], by[f"bad/{name}"]["reason"]) == (status, reason), name
    good = [p for p in files if not p.startswith("bad/")]
    assert all(by[p]["status"] == "ok" for p in good)
    assert len(list((out / "guides").glob("*.json"))) == len({by[p]["guide_id"] for p in files if by[p]["guide_id"]})
