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


def test_documents_in_flight_are_bounded_not_all_submitted_at_once(prefect_harness, tmp_path, monkeypatch):
    """Memory flat in N: the flow submits a window of documents (16 for one worker) and the next
    one as each finishes, instead of a future per document for the whole corpus."""
    from pipeline.run import flow

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(3):
        for stem in STEMS:
            (corpus / f"{stem}-{k}.txt").write_bytes((CORPUS / f"{stem}.txt").read_bytes() + f"\n（{k}）\n".encode())
    counts = {"submitted": 0, "finished": 0, "most": 0}
    real = flow.extract_guide

    class Counting:
        def submit(self, *args, **kwargs):
            counts["submitted"] += 1
            counts["most"] = max(counts["most"], counts["submitted"] - counts["finished"])
            return real.submit(*args, **kwargs)

    def finished(_entry):
        counts["finished"] += 1

    monkeypatch.setattr(flow, "extract_guide", Counting())
    summary = flow.run_corpus(corpus, tmp_path / "out", workers=1, isolate=False, on_entry=finished)
    assert summary.discovered == 3 * len(STEMS) == counts["submitted"] == counts["finished"]
    assert counts["most"] == flow.in_flight_window(1, None) == 16
