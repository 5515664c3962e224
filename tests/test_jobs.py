"""Run bookkeeping without Prefect: discovery, reason codes, duplicates, atomic records."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.run import jobs
from tests.conftest import CORPUS

GUIDE = "004_f341f958e9ff6538.txt"


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(CORPUS / GUIDE, root / GUIDE)
    return root


def run(root: Path, out: Path) -> jobs.Summary:
    import time

    entries = []
    for cand in jobs.discover(root):
        entries.append(cand.skip or jobs.process(cand.path, root, out, cand.sha256))
    return jobs.finish(out, entries, time.time(), root)


def ledger(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["path"]: r for r in rows}


@pytest.mark.parametrize("name,data,reason", [
    pytest.param("empty.txt", b"", "EMPTY_FILE", id="empty"),
    pytest.param("binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4, "BINARY_AS_TEXT", id="binary"),
    pytest.param("pdf.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "WRONG_TYPE", id="pdf-named-txt"),
    pytest.param("mixed.txt", "一、支持方向\n".encode("utf-8") + "二、申报要求\n".encode("gbk"), "ENCODING_MIXED", id="mixed"),
])
def test_bad_file_is_failed_with_reason_and_others_come_out(corpus, tmp_path, name, data, reason):
    (corpus / name).write_bytes(data)
    out = tmp_path / "out"
    summary = run(corpus, out)
    rows = ledger(out)
    assert rows[name]["status"] == "failed" and rows[name]["reason"] == reason
    assert name in rows[name]["message"] or reason == "ENCODING_MIXED"
    assert rows[GUIDE]["status"] == "ok"
    assert (out / rows[GUIDE]["output"]).is_file()
    assert summary.discovered == 2 == sum(summary.counts.values())


def test_links_fifos_directories_and_duplicates_are_skipped(corpus, tmp_path):
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "folder.pdf").mkdir()
    os.symlink(corpus / GUIDE, corpus / "link.txt")
    os.symlink(corpus / "missing.txt", corpus / "broken.txt")
    shutil.copy(corpus / GUIDE, corpus / "same bytes 副本.txt")
    (corpus / "notes.md").write_text("不是指南", encoding="utf-8")
    out = tmp_path / "out"
    summary = run(corpus, out)
    rows = ledger(out)
    assert {k: (v["status"], v["reason"]) for k, v in rows.items()} == {
        GUIDE: ("ok", None),
        "pipe.txt": ("skipped", "NOT_REGULAR_FILE"),
        "folder.pdf": ("skipped", "NOT_REGULAR_FILE"),
        "link.txt": ("skipped", "NOT_REGULAR_FILE"),
        "broken.txt": ("skipped", "NOT_REGULAR_FILE"),
        "same bytes 副本.txt": ("skipped", "DUPLICATE"),
        "notes.md": ("skipped", "UNSUPPORTED_FORMAT"),
    }
    assert rows["same bytes 副本.txt"]["duplicate_of"] == GUIDE
    assert summary.discovered == 7 and summary.counts == {"ok": 1, "skipped": 6}


def test_files_are_checked_in_one_place_before_anything_reads_them(corpus, tmp_path, monkeypatch):
    """Discovery and reading ask the same function (extractors/files.py): a file over the size cap
    fails TOO_LARGE at discovery, before it is hashed or sent to a worker, with the message
    `zhinan extract` gives for it."""
    from extractors.document import load
    from extractors.errors import IngestError
    from extractors.files import MAX_FILE_BYTES

    with open(corpus / "huge.pdf", "wb") as fh:  # sparse: no disk used
        fh.truncate(MAX_FILE_BYTES + 1)
    hashed = []
    real_hash = jobs._hash
    monkeypatch.setattr(jobs, "_hash", lambda p: hashed.append(p.name) or real_hash(p))
    cands = {c.display: c for c in jobs.discover(corpus)}
    assert hashed == [GUIDE]
    huge = cands["huge.pdf"].skip
    assert (huge.status, huge.reason) == ("failed", "TOO_LARGE")
    assert huge.message == f"huge.pdf has {MAX_FILE_BYTES + 1} bytes, over the {MAX_FILE_BYTES}-byte cap"
    with pytest.raises(IngestError) as caught:
        load(corpus / "huge.pdf", corpus)
    assert caught.value.reason == "TOO_LARGE" and caught.value.message.endswith(huge.message[len("huge.pdf"):])


def test_gbk_file_name_is_kept_readable_with_its_raw_bytes(corpus, tmp_path):
    raw_name = "指南.txt".encode("gbk")
    with open(os.path.join(os.fsencode(corpus), raw_name), "wb") as fh:
        fh.write((CORPUS / "000_8708816bca33718b.txt").read_bytes())
    out = tmp_path / "out"
    run(corpus, out)
    rows = ledger(out)
    row = next(r for r in rows.values() if r["raw_name_hex"])
    assert row["status"] == "ok" and bytes.fromhex(row["raw_name_hex"]) == raw_name
    record = json.loads((out / row["output"]).read_text(encoding="utf-8"))
    assert record["source"]["path"] == row["path"] and "\\x" in row["path"]


def test_file_changed_after_discovery_is_reported(corpus, tmp_path):
    cand = next(c for c in jobs.discover(corpus) if c.display == GUIDE)
    with open(cand.path, "ab") as fh:
        fh.write("\n附加内容".encode("utf-8"))
    entry = jobs.process(cand.path, corpus, tmp_path / "out", cand.sha256)
    assert (entry.status, entry.reason) == ("failed", "CHANGED_DURING_RUN")
    assert not (tmp_path / "out" / "guides").exists()


def test_parser_bug_is_recorded_not_raised(corpus, tmp_path, monkeypatch):
    def boom(loaded):
        raise KeyError("outline")

    monkeypatch.setattr(jobs, "build_guide", boom)
    entry = jobs.process(corpus / GUIDE, corpus, tmp_path / "out", None, isolate=False)
    assert (entry.status, entry.reason, entry.error_class) == ("failed", "PARSER_BUG", "KeyError")


def test_rerun_is_byte_identical_and_prunes_removed_guides(corpus, tmp_path):
    shutil.copy(CORPUS / "000_8708816bca33718b.txt", corpus)
    out = tmp_path / "out"
    run(corpus, out)
    first = {p.name: p.read_bytes() for p in (out / "guides").iterdir()}
    first_ledger = (out / "ledger.jsonl").read_bytes()
    run(corpus, out)
    assert {p.name: p.read_bytes() for p in (out / "guides").iterdir()} == first
    assert (out / "ledger.jsonl").read_bytes() == first_ledger
    (corpus / "000_8708816bca33718b.txt").unlink()
    (out / "guides" / ".stale.json.abc.tmp").write_text("half", encoding="utf-8")
    run(corpus, out)
    assert sorted(p.name for p in (out / "guides").iterdir()) == ["01b6766cc6e8ba74.json"]
