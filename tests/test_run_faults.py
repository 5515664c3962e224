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
    from pipeline import jobs
    from pipeline.flow import run_corpus

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


def test_a_second_run_into_the_same_folder_is_refused(prefect_harness, tmp_path):
    from pipeline.flow import run_corpus
    from pipeline.jobs import RunLock, RunLocked

    corpus, out = _corpus(tmp_path, 1), tmp_path / "out"
    with RunLock(out):
        with pytest.raises(RunLocked):
            run_corpus(corpus, out, workers=1)
    assert run_corpus(corpus, out, workers=1).counts == {"ok": 1}  # released: the next run goes


def test_output_folder_inside_the_corpus_is_not_read_back(prefect_harness, tmp_path):
    from pipeline.flow import run_corpus

    corpus = _corpus(tmp_path)
    out = corpus / "outputs"
    first = run_corpus(corpus, out, workers=2)
    second = run_corpus(corpus, out, workers=2)
    assert first.discovered == second.discovered == 2
    assert first.counts == second.counts == {"ok": 2}


def test_a_single_file_is_run_and_other_records_are_kept(prefect_harness, tmp_path):
    from pipeline.flow import run_corpus

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

    from pipeline.settings import configure_prefect

    monkeypatch.delenv("PREFECT_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    home = configure_prefect()
    assert home == ROOT / ".prefect" and os.environ["PREFECT_HOME"] == str(ROOT / ".prefect")
