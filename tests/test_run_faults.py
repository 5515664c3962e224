"""A run that fails loudly and cleans up (issue 10.6): environment faults stop the run with one
line and blame no document; one run per output folder; an output folder inside the corpus is not
read back; a single file can be run; a relative corpus path works from any folder."""
from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, SAMPLES

ROOT = Path(__file__).resolve().parents[1]


def _corpus(tmp_path: Path, n: int = 2) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for stem in SAMPLES[:n]:
        shutil.copy(CORPUS / f"{stem}.txt", corpus)
    return corpus


def test_a_full_disk_stops_the_run_and_blames_no_document(prefect_harness, tmp_path, monkeypatch):
    from pipeline.run import jobs
    from pipeline.run.flow import run_corpus

    corpus, out = _corpus(tmp_path), tmp_path / "out"

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(jobs, "write_atomic", full)
    summary = run_corpus(corpus, out, workers=1, isolate=False)
    assert summary.fault is not None and "No space left on device" in summary.fault
    assert summary.counts.get("failed", 0) == 0  # no document is blamed
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and "No space left" in manifest["reason"]
    assert not (out / "ledger.jsonl").exists()


def test_a_journal_that_cannot_be_written_stops_the_run_too(prefect_harness, tmp_path, monkeypatch):
    """The task journals each row as its document finishes; a full disk there is the same fault."""
    from pipeline.run import jobs
    from pipeline.run.flow import run_corpus

    corpus, out = _corpus(tmp_path), tmp_path / "out"

    def full(self, entry):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(jobs.Journal, "append", full)
    summary = run_corpus(corpus, out, workers=1, isolate=False)
    assert summary.fault == f"cannot write {out.absolute() / jobs.JOURNAL}: No space left on device"
    assert summary.counts.get("failed", 0) == 0
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "failed"
    assert not (out / "ledger.jsonl").exists()


def test_a_second_run_into_the_same_folder_is_refused(prefect_harness, tmp_path):
    from pipeline.run.flow import run_corpus
    from pipeline.run.jobs import RunLock, RunLocked

    corpus, out = _corpus(tmp_path, 1), tmp_path / "out"
    with RunLock(out):
        with pytest.raises(RunLocked):
            run_corpus(corpus, out, workers=1)
    assert run_corpus(corpus, out, workers=1).counts == {"ok": 1}  # released: the next run goes


def test_output_folder_inside_the_corpus_is_not_read_back(prefect_harness, tmp_path):
    from pipeline.run.flow import run_corpus

    corpus = _corpus(tmp_path)
    out = corpus / "outputs"
    first = run_corpus(corpus, out, workers=2)
    second = run_corpus(corpus, out, workers=2)
    assert first.discovered == second.discovered == 2
    assert first.counts == second.counts == {"ok": 2}


def test_a_single_file_is_run_and_other_records_are_kept(prefect_harness, tmp_path):
    from pipeline.run.flow import run_corpus

    corpus, out = _corpus(tmp_path), tmp_path / "out"
    run_corpus(corpus, out, workers=2)
    assert len(list((out / "guides").glob("*.json"))) == 2
    one = run_corpus(corpus / f"{SAMPLES[0]}.txt", out, workers=1)
    assert (one.discovered, one.counts) == (1, {"ok": 1})
    assert len(list((out / "guides").glob("*.json"))) == 2
    rows = [json.loads(x) for x in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["path"] for r in rows] == [f"{SAMPLES[0]}.txt"]


def test_relative_corpus_path_from_another_folder(tmp_path):
    corpus = _corpus(tmp_path)
    r = subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", "run", ".", "--out", "../out",
                        "--export", "none"], cwd=corpus, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "2 discovered: 2 ok" in r.stderr
    assert len(list((tmp_path / "out" / "guides").glob("*.json"))) == 2


def test_prefect_state_lives_in_the_project_not_the_current_folder(tmp_path, monkeypatch):
    import os

    from pipeline.run.settings import configure_prefect

    monkeypatch.delenv("PREFECT_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    home = configure_prefect()
    assert home == ROOT / ".prefect" and os.environ["PREFECT_HOME"] == str(ROOT / ".prefect")


def test_a_folder_named_like_a_guide_is_skipped_and_its_files_read(tmp_path):
    from pipeline.run import jobs

    corpus = _corpus(tmp_path, 1)
    inner = corpus / "材料.docx"
    inner.mkdir()
    shutil.copy(CORPUS / f"{SAMPLES[1]}.txt", inner)
    found = {c.display: (c.skip.reason if c.skip else None) for c in jobs.discover(corpus)}
    assert found == {"材料.docx": "NOT_REGULAR_FILE", f"材料.docx/{SAMPLES[1]}.txt": None, f"{SAMPLES[0]}.txt": None}


def test_a_file_deleted_after_discovery_is_skipped_not_failed(tmp_path):
    from pipeline.run import jobs

    corpus = _corpus(tmp_path, 1)
    cand = jobs.discover(corpus)[0]
    cand.path.unlink()
    entry = jobs.process(cand.path, corpus, tmp_path / "out", cand.sha256, isolate=True)
    assert (entry.status, entry.reason) == ("skipped", "UNREADABLE")


def test_a_failing_file_with_a_gbk_name_is_ledgered_readably(tmp_path):
    import os
    import time

    from pipeline.run import jobs

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bad = os.fsencode(corpus) + b"/" + "申报".encode("gbk") + b".txt"
    with open(bad, "wb"):
        pass
    entries = [c.skip or jobs.process(c.path, corpus, tmp_path / "out", c.sha256, isolate=True)
               for c in jobs.discover(corpus)]
    jobs.finish(tmp_path / "out", entries, time.time(), corpus)
    row = json.loads((tmp_path / "out" / "ledger.jsonl").read_text(encoding="utf-8"))
    # GBK 申报 is c9 ea b1 a8; `ea b1 a8` happens to be UTF-8 for 걨, so only c9 is escaped
    assert (row["status"], row["reason"], row["path"]) == ("failed", "EMPTY_FILE", "\\xc9걨.txt")
    assert row["raw_name_hex"] == "c9eab1a82e747874"
    assert row["message"].endswith("\\xc9걨.txt is empty (0 bytes)")


def test_a_worker_killed_from_outside_is_not_called_a_memory_limit(tmp_path, monkeypatch):
    import os
    import signal
    import threading
    import time

    from extractors.errors import IngestError
    from pipeline.run.isolate import Limits, close_pools, parse_isolated, pool

    corpus = _corpus(tmp_path, 1)
    monkeypatch.setenv("ZHINAN_WORKER_FAULT", "hang")
    limits = Limits(seconds=60, memory_mb=1536, max_pages=50)
    caught = []

    def parse():
        try:
            parse_isolated(corpus / f"{SAMPLES[0]}.txt", corpus, limits)
        except IngestError as exc:
            caught.append(exc)

    t = threading.Thread(target=parse)
    t.start()
    deadline = time.monotonic() + 30
    while not pool(limits)._busy and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1)
    worker = next(iter(pool(limits)._busy))
    os.kill(worker.proc.pid, signal.SIGKILL)
    t.join(30)
    close_pools()
    assert caught and caught[0].reason == "WORKER_CRASHED" and "killed from outside" in caught[0].message


def test_the_manifest_says_complete_only_with_the_exports_in_place(prefect_harness, tmp_path, monkeypatch):
    from pipeline.products import export as export_module
    from pipeline.run.flow import run_corpus

    corpus, out = _corpus(tmp_path, 1), tmp_path / "out"

    def broken(*a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "export", broken)
    with pytest.raises(OSError):
        run_corpus(corpus, out, workers=1, exports=("csv",))
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "running"
    monkeypatch.undo()
    run_corpus(corpus, out, workers=1, exports=("csv",))
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "complete"
    assert (out / "exports" / "programs.csv").is_file()
