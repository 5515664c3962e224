"""The pool of parsing workers: one process parses many documents; a hung worker is killed and
replaced; the workers end with the pool."""
from __future__ import annotations

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
    titles = [pool.parse(CORPUS / name, CORPUS).title for name in GUIDES]
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
        assert pool.parse(CORPUS / GUIDES[1], CORPUS).year == 2026
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
    g = pool.parse(Path(GUIDES[1]), Path("."))
    assert g.source.path == GUIDES[1] and g.year == 2026
