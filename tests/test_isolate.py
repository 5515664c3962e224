"""The pool of parsing workers: one process parses many documents; a hung worker is killed and
replaced; the workers end with the pool."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.run.isolate import Limits, WorkerError, WorkerPool
from tests.conftest import CORPUS

GUIDES = ["004_f341f958e9ff6538.txt", "d05_huangpu_sme_loan_interest_subsidy_2026.txt",
          "d12_beijing_smart_city_jiebang_2025.txt"]


@pytest.fixture
def pool():
    p = WorkerPool(Limits(seconds=60, memory_mb=1200))
    yield p
    p.close()


def test_one_worker_parses_document_after_document(pool):
    titles = [json.loads(pool.parse(CORPUS / name, CORPUS).record)["title"] for name in GUIDES]
    assert titles[1] == "关于印发《黄浦区中小微企业贷款贴息支持办法》的通知"
    (worker,) = pool._idle
    assert worker.served == 3 and worker.proc.poll() is None


def test_a_hung_worker_is_killed_and_the_next_document_gets_a_fresh_one(monkeypatch):
    pool = WorkerPool(Limits(seconds=3, memory_mb=1200))
    try:
        pool.parse(CORPUS / GUIDES[0], CORPUS)
        (first,) = pool._idle
        monkeypatch.setenv("ZHINAN_WORKER_FAULT", "hang")
        with pytest.raises(WorkerError) as exc:
            pool.parse(CORPUS / GUIDES[1], CORPUS)
        assert exc.value.reason == "TIMEOUT"
        assert first.proc.poll() is not None and pool._idle == []  # killed, not handed out again
        monkeypatch.delenv("ZHINAN_WORKER_FAULT")
        assert json.loads(pool.parse(CORPUS / GUIDES[1], CORPUS).record)["year"] == 2026
    finally:
        pool.close()


def test_workers_end_with_the_pool(pool):
    pool.parse(CORPUS / GUIDES[0], CORPUS)
    (worker,) = pool._idle
    pid = worker.proc.pid
    pool.close()
    assert worker.proc.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_relative_path_from_another_folder_reaches_the_worker(pool, tmp_path, monkeypatch):
    import shutil

    shutil.copy(CORPUS / GUIDES[1], tmp_path)
    monkeypatch.chdir(tmp_path)  # `cd ~/guides && zhinan run .`
    g = json.loads(pool.parse(Path(GUIDES[1]), Path(".")).record)
    assert g["source"]["path"] == GUIDES[1] and g["year"] == 2026


def test_the_worker_sends_the_record_file_the_run_would_have_written(pool):
    """The worker serialises the record; the run writes its text as it comes: byte for byte the
    record of an in-process parse, and the ledger's facts (id, hash, issue codes) agree with it."""
    from extractors.document import build_guide, load
    from pipeline.run.store import dumps

    parsed = pool.parse(CORPUS / GUIDES[2], CORPUS)
    guide = build_guide(load(CORPUS / GUIDES[2], CORPUS))
    assert parsed.record == dumps(guide.model_dump(mode="json"))
    assert (parsed.guide_id, parsed.sha256) == (guide.id, guide.source.sha256)
    assert parsed.issue_codes == tuple(sorted({i.code for i in guide.issues}))


def test_a_workers_start_up_is_not_counted_against_the_first_document():
    """The first document's clock starts when its worker says `ready`: imports (spaCy, jieba, the
    rules: ~2.5 s here, never under half a second) under a 0.5 s limit, then a short guide."""
    import time

    pool = WorkerPool(Limits(seconds=0.5, memory_mb=1200))
    try:
        started = time.monotonic()
        parsed = pool.parse(CORPUS / GUIDES[1], CORPUS)
        took = time.monotonic() - started
    finally:
        pool.close()
    assert json.loads(parsed.record)["year"] == 2026
    assert took > 0.5
