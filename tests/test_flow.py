"""The Prefect flow end to end, under prefect_test_harness (a temporary local server)."""
from __future__ import annotations

import json
import shutil

from tests.conftest import CORPUS, STEMS


def test_flow_writes_one_record_per_guide_and_ledgers_the_bad_one(prefect_harness, tmp_path):
    from pipeline.run.flow import run_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for stem in STEMS:
        shutil.copy(CORPUS / f"{stem}.txt", corpus)
    (corpus / "corrupt.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    out = tmp_path / "outputs"
    seen = []
    summary = run_corpus(corpus, out, workers=2, on_entry=seen.append)
    assert summary.counts == {"ok": len(STEMS), "failed": 1}
    assert summary.discovered == len(STEMS) + 1 == len(seen)
    rows = [json.loads(x) for x in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    bad = next(r for r in rows if r["path"] == "corrupt.txt")
    assert (bad["status"], bad["reason"]) == ("failed", "BINARY_AS_TEXT")
    records = sorted((out / "guides").glob("*.json"))
    assert len(records) == len(STEMS)
    titles = {json.loads(p.read_text(encoding="utf-8"))["title"] for p in records}
    assert "2022年度克拉玛依市科技计划储备项目申报指南" in titles
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"ok": len(STEMS), "failed": 1}

    before = {p.name: p.read_bytes() for p in records}
    run_corpus(corpus, out, workers=1)
    assert {p.name: p.read_bytes() for p in sorted((out / "guides").glob("*.json"))} == before


def test_documents_in_flight_are_bounded_and_batched(prefect_harness, tmp_path, monkeypatch):
    """Memory flat in N: the flow submits a window of batches (two of 8 documents for one worker)
    and the next as each finishes, instead of a future per document for the whole corpus; every
    row is journaled by the task that made it."""
    from pipeline.run import flow, jobs

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(3):
        for stem in STEMS:
            (corpus / f"{stem}-{k}.txt").write_bytes((CORPUS / f"{stem}.txt").read_bytes() + f"\n（{k}）\n".encode())
    counts = {"tasks": 0, "submitted": 0, "finished": 0, "most": 0}
    real = flow.extract_batch
    journaled = []
    real_append = jobs.Journal.append

    class Counting:
        def submit(self, batch, *args, **kwargs):
            counts["tasks"] += 1
            counts["submitted"] += len(batch)
            counts["most"] = max(counts["most"], counts["submitted"] - counts["finished"])
            return real.submit(batch, *args, **kwargs)

    def finished(_entry):
        counts["finished"] += 1

    monkeypatch.setattr(flow, "extract_batch", Counting())
    monkeypatch.setattr(jobs.Journal, "append", lambda self, entry: (journaled.append(entry.path), real_append(self, entry)))
    n = 3 * len(STEMS)
    summary = flow.run_corpus(corpus, tmp_path / "out", workers=1, isolate=False, on_entry=finished)
    assert summary.discovered == n == counts["submitted"] == counts["finished"] == 54
    assert flow.batching(n, 1) == (8, 2)
    assert counts["tasks"] == 7 and counts["most"] == 16  # 54 = 6 batches of 8 and one of 6
    assert sorted(journaled) == sorted(f"{stem}-{k}.txt" for k in range(3) for stem in STEMS)


def test_batches_grow_with_the_corpus_up_to_eight_documents():
    from pipeline.run.flow import batching

    assert batching(10, 2) == (1, 4)        # a small corpus: a document a task, no idle worker at the end
    assert batching(40, 2) == (5, 4)
    assert batching(10_000, 2) == (8, 4)
    assert batching(10_000, 2, on_cluster=True) == (8, 32)
