"""Cache and resume (issue 10.2): a record is reused while its file's sha256 and the pipeline
version are unchanged; the journal is written row by row, so `kill -9` at any moment followed by a
rerun finishes the work without redoing what was done and ends with the bytes of an uninterrupted
run; the manifest says `complete` only when the run is."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, SAMPLES, run_state

ROOT = Path(__file__).resolve().parents[1]


def _corpus(folder: Path, copies: int = 1) -> Path:
    """The corpus guides, each `copies` times with a distinct last line (no two byte-identical)."""
    folder.mkdir()
    for src in sorted(CORPUS.glob("*.txt")):
        for k in range(copies):
            (folder / f"{src.stem}-{k}.txt").write_bytes(src.read_bytes() + f"\n（第{k + 1}份）\n".encode())
    return folder


def test_warm_rerun_reuses_every_record_and_a_changed_file_is_reparsed(prefect_harness, tmp_path):
    from pipeline.run.flow import run_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for stem in SAMPLES[:3]:
        shutil.copy(CORPUS / f"{stem}.txt", corpus)
    out = tmp_path / "out"
    first = run_corpus(corpus, out, workers=2)
    before = run_state(out)
    assert first.reused == 0
    again = run_corpus(corpus, out, workers=2)
    assert (again.reused, run_state(out)) == (3, before)
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "complete"
    changed = corpus / f"{SAMPLES[0]}.txt"
    changed.write_bytes(changed.read_bytes() + "\n（修订）\n".encode())
    third = run_corpus(corpus, out, workers=2)
    assert third.reused == 2 and len(list((out / "guides").glob("*.json"))) == 3
    assert run_corpus(corpus, out, workers=2, force=True).reused == 0


def test_a_new_pipeline_version_reparses_everything(prefect_harness, tmp_path, monkeypatch):
    from pipeline.run.flow import run_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / f"{SAMPLES[0]}.txt", corpus)
    out = tmp_path / "out"
    monkeypatch.setenv("ZHINAN_PIPELINE_VERSION", "rules-v1")
    run_corpus(corpus, out, workers=1)
    assert run_corpus(corpus, out, workers=1).reused == 1
    monkeypatch.setenv("ZHINAN_PIPELINE_VERSION", "rules-v2")  # a rule changed
    assert run_corpus(corpus, out, workers=1).reused == 0


def test_a_torn_journal_line_is_ignored(tmp_path):
    from pipeline.run import jobs

    out = tmp_path / "out"
    (out / "guides").mkdir(parents=True)
    (out / "guides" / "0123456789abcdef.json").write_text("{}", encoding="utf-8")
    row = {"path": "a.txt", "status": "ok", "sha256": "ab" * 32, "guide_id": "0123456789abcdef",
           "output": "guides/0123456789abcdef.json", "pipeline_version": "v"}
    (out / jobs.JOURNAL).write_text(json.dumps(row) + "\n" + '{"path": "b.txt", "sta', encoding="utf-8")
    found = jobs.previous_results(out, "v")
    assert list(found) == [("a.txt", "ab" * 32)]
    assert jobs.previous_results(out, "other") == {}


def _zhinan_run(corpus: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from pipeline.cli import main; main()", "run", str(corpus),
                             "--out", str(out), "--export", "none", "--workers", "2"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for_journal(proc: subprocess.Popen, out: Path, rows: int) -> Path:
    """The run's journal once it holds `rows` finished documents (the run still going)."""
    journal = out / ".journal.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and len(journal.read_bytes().splitlines()) >= rows:
            return journal
        time.sleep(0.05)
    pytest.fail("the run ended before it could be stopped")


def _orphan_workers() -> set[str]:
    """PIDs of parsing workers whose run is gone (re-parented to init or a subreaper: their parent
    is not a zhinan process)."""
    found = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"pipeline.run.worker\0--serve" not in (proc / "cmdline").read_bytes():
                continue
            ppid = next(x.split()[1] for x in (proc / "status").read_text().splitlines() if x.startswith("PPid:"))
            parent = (Path("/proc") / ppid / "cmdline").read_bytes() if ppid != "0" else b""
            if b"python" not in parent:
                found.add(proc.name)
        except (OSError, StopIteration):
            pass
    return found


def test_kill_9_then_rerun_gives_the_bytes_of_an_uninterrupted_run(tmp_path):
    corpus = _corpus(tmp_path / "corpus", copies=2)
    ref = tmp_path / "ref"
    assert _zhinan_run(corpus, ref).wait(timeout=600) == 0
    out = tmp_path / "out"
    workers_before = _orphan_workers()
    proc = _zhinan_run(corpus, out)
    journal = _wait_for_journal(proc, out, rows=5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    finished = {json.loads(x)["path"] for x in journal.read_bytes().splitlines() if x.endswith(b"}")}
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "running"
    time.sleep(1)  # the kernel kills the parsing workers with the run (PR_SET_PDEATHSIG)
    assert _orphan_workers() - workers_before == set()
    rerun = _zhinan_run(corpus, out)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read().decode()
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert manifest["reused"] >= len(finished) >= 5  # nothing finished was parsed again
    assert run_state(out) == run_state(ref)
    assert not journal.exists()


def _prefect_servers_of(pid: int) -> list[int]:
    """PIDs of Prefect temporary servers (uvicorn) whose parent is `pid`."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes()
            ppid = next(x.split()[1] for x in (proc / "status").read_text().splitlines() if x.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        if ppid == str(pid) and b"\0-m\0uvicorn\0" in cmd and b"prefect.server.api.server" in cmd:
            found.append(int(proc.name))
    return found


def _is_prefect_server(pid: int) -> bool:
    try:
        cmd = (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return False
    return b"\0-m\0uvicorn\0" in cmd and b"prefect.server.api.server" in cmd


def test_kill_9_of_the_run_alone_takes_prefects_server_with_it(tmp_path):
    """Only the zhinan process is killed (not its group): its watchdog stops the temporary server."""
    corpus = _corpus(tmp_path / "corpus", copies=1)
    out = tmp_path / "out"
    proc = _zhinan_run(corpus, out)
    _wait_for_journal(proc, out, rows=1)
    (server,) = _prefect_servers_of(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _is_prefect_server(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        assert not _is_prefect_server(server), "Prefect's temporary server outlived the run"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever else the group still holds


def test_ctrl_c_stops_within_seconds_with_one_line(tmp_path):
    corpus = _corpus(tmp_path / "corpus", copies=2)
    out = tmp_path / "out"
    proc = _zhinan_run(corpus, out)
    journal = _wait_for_journal(proc, out, rows=3)
    asked = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    took = time.monotonic() - asked
    lines = [x for x in stderr.decode().splitlines() if x.strip()]
    assert proc.returncode == 130 and took < 15, (took, lines)
    assert lines[-1].startswith("interrupted: ") and "run again to go on" in lines[-1]
    assert not any("Traceback" in x or "Crash" in x for x in lines)
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "interrupted"
    assert len(journal.read_bytes().splitlines()) >= 3  # what finished is kept for the next run
