"""The same flow on a Dask cluster (issue 10.4): a 2-worker LocalCluster (separate processes) gives
records and a ledger identical to the local run."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import CORPUS, SAMPLES, run_state

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")


def test_flow_on_a_local_dask_cluster_matches_the_local_run(prefect_harness, tmp_path):
    from pipeline.run.flow import run_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for stem in SAMPLES[:3]:
        shutil.copy(CORPUS / f"{stem}.txt", corpus)
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    local = tmp_path / "local"
    run_corpus(corpus, local, workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, distributed.get_task_stream(client) as stream:
        on_dask = tmp_path / "dask"
        summary = run_corpus(corpus, on_dask, dask_address=cluster.scheduler_address)
    assert len(stream.data) >= 4  # the four documents ran as tasks on the cluster's workers
    assert summary.counts == {"ok": 3, "failed": 1}
    assert run_state(on_dask) == run_state(local)
