"""Throughput benchmark of `zhinan run` (issue 10.7). Not a test: numbers depend on the machine.

    .venv/bin/python -m bench.throughput [-n 1000] [--formats txt,pdf,docx,html] [--workers N]
                                         [--out outputs/bench] [--memory-only]

Builds a corpus of N guides from corpus/*.txt in the chosen formats (PDF and DOCX through
tests/make_renderings.py, HTML as paragraphs), each varied by a numbered last line so no two are
byte-identical, then measures in the same run on the same files:
  - cold run (`run_corpus`, isolation on, Prefect's temporary server started beforehand and not
    counted), per format: documents/s, pages/s (PDF), characters/s of record text, parse-worker
    peak RSS;
  - the floors: reading + decoding the bytes (txt), pdfplumber `extract_text` (pdf), python-docx
    reading every paragraph (docx), lxml parsing (html) — and zhinan's time as a ratio of each;
  - time per stage in-process on a sample (decode or layout, normalise, outline, fields and NER,
    writing) and Prefect's overhead per document (a flow of no-op tasks in the run's own batches);
  - a warm rerun (everything reused) and a run after one rule changed (the pipeline version moves,
    so every record is remade).
Writes OUT/throughput.json and OUT/throughput.md (the README's table).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_corpus(folder: Path, n: int, formats: list[str]) -> dict[str, list[Path]]:
    """N guides spread over the formats, each a corpus text with a distinct numbered last line."""
    from tests.make_renderings import blocks_of, render_docx, render_pdf
    from extractors.metadata import find_title  # noqa: F401  (imported by make_renderings' helpers)

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    made: dict[str, list[Path]] = {f: [] for f in formats}
    for k in range(n):
        fmt = formats[k % len(formats)]
        text = texts[k % len(texts)] + f"\n（本文件第{k + 1}份）\n"
        sub = folder / fmt
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"g{k:05d}.{fmt}"
        if fmt == "txt":
            path.write_text(text, encoding="utf-8")
        elif fmt == "html":
            body = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
            path.write_text(f"<html><head><meta charset='utf-8'></head><body><article>{body}</article></body></html>",
                            encoding="utf-8")
        else:
            blocks = blocks_of(text)
            title = next((b.text for b in blocks if b.kind == "title"), "指南")
            (render_pdf if fmt == "pdf" else render_docx)(blocks, title, path)
        made[fmt].append(path)
    return made


def floor_seconds(fmt: str, paths: list[Path]) -> tuple[float, int]:
    """Seconds the bare reader takes on these files (and PDF pages)."""
    start, pages = time.perf_counter(), 0
    for p in paths:
        if fmt == "txt":
            from extractors.decode import decode_bytes
            decode_bytes(p.read_bytes(), str(p))
        elif fmt == "pdf":
            import pdfplumber
            with pdfplumber.open(p) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    pages += 1
        elif fmt == "docx":
            import docx
            _ = [para.text for para in docx.Document(str(p)).paragraphs]
        else:
            import lxml.html
            lxml.html.fromstring(p.read_bytes()).text_content()
    return time.perf_counter() - start, pages


def stage_seconds(paths: list[Path]) -> dict[str, float]:
    """In-process time per stage over a sample of the files."""
    from extractors.document import load
    from extractors.doc import GuideDoc
    from extractors.fields import extract_fields
    from extractors.metadata import extract_meta
    from extractors.nlp import entity_pass
    from extractors.programs import find_programs
    from extractors.phones import dominant_area
    from extractors.document import build_guide

    acc = {"read_and_layout_and_normalise": 0.0, "outline": 0.0, "ner": 0.0, "programmes_and_fields": 0.0,
           "record_and_json": 0.0}
    for p in paths:
        t = time.perf_counter()
        loaded = load(p, p.parent)
        acc["read_and_layout_and_normalise"] += time.perf_counter() - t
        text = loaded.norm.text
        t = time.perf_counter()
        meta = extract_meta(text)
        doc = GuideDoc.parse(text, meta.title_span[1])
        acc["outline"] += time.perf_counter() - t
        t = time.perf_counter()
        place = meta.region
        ents = entity_pass(doc, (place.area_code if place else None) or dominant_area(text))
        acc["ner"] += time.perf_counter() - t
        t = time.perf_counter()
        doc.set_programs(find_programs(text, doc.nodes, meta.title, doc.body_start, ents.amounts_in))
        extract_fields(doc, ents, meta.year)
        acc["programmes_and_fields"] += time.perf_counter() - t
        t = time.perf_counter()
        build_guide(loaded).model_dump_json()  # the whole record again, less the parts above
        acc["record_and_json"] += time.perf_counter() - t
    whole = acc.pop("record_and_json")
    acc["record_and_json"] = max(0.0, whole - sum(acc.values()))
    return {k: round(v / len(paths), 4) for k, v in acc.items()}


def prefect_overhead_ms(n: int, workers: int) -> float:
    """Milliseconds Prefect adds per document: a flow of tasks that do nothing, over n documents in
    the batches `zhinan run` makes (pipeline.run.flow.batching), on the same task runner."""
    from prefect import flow, task
    from prefect.task_runners import ThreadPoolTaskRunner

    from collections import deque

    from pipeline.run.flow import batches, batching

    size, _ = batching(n, workers)

    @task(cache_policy=None)
    def nothing(batch: list[int]) -> list[int]:
        return batch

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=workers), validate_parameters=False)
    def many(m: int) -> int:
        futures = [nothing.submit(batch) for batch in batches(deque(range(m)), size)]
        return sum(len(f.result()) for f in futures)

    many(2)  # the flow machinery warmed up
    start = time.perf_counter()
    many(n)
    return round((time.perf_counter() - start) / n * 1000, 2)


def timed_run(corpus: Path, out: Path, workers: int, **kw) -> tuple[float, object]:
    from pipeline.run.flow import run_corpus

    start = time.perf_counter()
    summary = run_corpus(corpus, out, workers=workers, **kw)
    return time.perf_counter() - start, summary


def record_chars(out: Path) -> int:
    return sum(len(json.loads(p.read_text(encoding="utf-8"))["text"]) for p in (out / "guides").glob("*.json"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.throughput")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--formats", default="txt,pdf,docx,html")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench")
    ap.add_argument("--memory-only", action="store_true",
                    help="one cold run over all N and the peak RSS (is memory flat in N?)")
    args = ap.parse_args(argv)
    formats = args.formats.split(",")
    from pipeline.run.settings import configure_prefect

    configure_prefect()
    from prefect.testing.utilities import prefect_test_harness

    report: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform()}, "n": args.n, "workers": args.workers}
    with tempfile.TemporaryDirectory(prefix="zhinan-bench-") as tmp, prefect_test_harness():
        tmp = Path(tmp)
        t = time.perf_counter()
        made = build_corpus(tmp / "corpus", args.n, formats)
        report["build_seconds"] = round(time.perf_counter() - t, 1)
        print(f"built {args.n} guides in {report['build_seconds']} s", flush=True)
        if args.memory_only:
            secs, summary = timed_run(tmp / "corpus", tmp / "out-all", args.workers, exports=())
            report["memory_only"] = {"seconds": round(secs, 1), "counts": summary.counts, "peak_rss_mb": {
                "run": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}}
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "memory.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            print(json.dumps(report["memory_only"]))
            return 0
        timed_run(tmp / "corpus" / formats[0], tmp / "warmup", args.workers)  # Prefect's server up, workers warm
        per: dict = {}
        for fmt in formats:
            secs, summary = timed_run(tmp / "corpus" / fmt, tmp / "out" / fmt, args.workers)
            chars = record_chars(tmp / "out" / fmt)
            floor, pages = floor_seconds(fmt, made[fmt])
            sample = made[fmt][: min(10, len(made[fmt]))]
            stage_seconds(sample)  # warm-up: one-time set-up (spaCy's pipeline, jieba's dictionary on the first contact line) is no stage
            stages = stage_seconds(sample)
            parse_each = sum(stages.values())
            docs = len(made[fmt])
            per[fmt] = {
                "documents": docs, "seconds": round(secs, 2), "documents_per_s": round(docs / secs, 2),
                "chars_per_s": round(chars / secs), "chars_per_s_per_core": round(chars / secs / args.workers),
                "pages_per_s": round(pages / secs, 1) if pages else None, "floor_seconds": round(floor, 2),
                "ratio_to_floor": round(secs * args.workers / floor, 2) if floor else None,
                "stages_s_per_doc": stages, "in_process_s_per_doc": round(parse_each, 4),
                "counts": summary.counts,
            }
            print(fmt, json.dumps(per[fmt], ensure_ascii=False), flush=True)
        report["cold"] = per
        report["prefect_overhead_ms_per_doc"] = prefect_overhead_ms(max(50, min(args.n, 500)), args.workers)
        everything = tmp / "corpus"
        out_all = tmp / "out-all"
        report["cold_all_seconds"] = round(timed_run(everything, out_all, args.workers)[0], 2)
        report["warm_rerun_seconds"] = round(timed_run(everything, out_all, args.workers)[0], 2)
        os.environ["ZHINAN_PIPELINE_VERSION"] = "bench-rule-changed"
        report["after_rule_change_seconds"] = round(timed_run(everything, out_all, args.workers)[0], 2)
        os.environ.pop("ZHINAN_PIPELINE_VERSION")
        report["peak_rss_mb"] = {
            "run": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "throughput.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    rows = ["| format | docs | s | docs/s | chars/s/core | pages/s | × floor (core-s) | in-process s/doc: read+layout+normalise / outline / NER / fields |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for fmt, r in report["cold"].items():
        st = r["stages_s_per_doc"]
        rows.append(f"| {fmt} | {r['documents']} | {r['seconds']} | {r['documents_per_s']} | {r['chars_per_s_per_core']:,} | "
                    f"{r['pages_per_s'] or '—'} | {r['ratio_to_floor']} | {st['read_and_layout_and_normalise']} / "
                    f"{st['outline']} / {st['ner']} / {st['programmes_and_fields']} |")
    rows.append("")
    rows.append(f"All {args.n}: cold {report['cold_all_seconds']} s, warm rerun {report['warm_rerun_seconds']} s, "
                f"after a rule change {report['after_rule_change_seconds']} s; Prefect "
                f"{report['prefect_overhead_ms_per_doc']} ms a document; peak RSS: run "
                f"{report['peak_rss_mb']['run']} MB, largest worker {report['peak_rss_mb']['largest_worker']} MB.")
    (args.out / "throughput.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
