"""Mutation fuzzing of the readers through the same worker pool `zhinan run` uses.

    .venv/bin/python -m fuzz --minutes 30 [--out fuzz-out] [--seed 1] [--workers 2]

Seeds are the sample guides as text and their PDF, DOCX and HTML renderings
(tests/make_renderings.py). Each round takes a seed, damages it (fuzz/mutate.py), parses it in a
worker under the run's limits and files the outcome by reason code. A record that comes back is
checked too: every span inside the text and its evidence (schemas/evidence.py). PARSER_BUG,
WORKER_CRASHED, BAD_SPAN and ESCAPED (an exception out of the pool) are findings: each input is
kept in OUT/findings/ under its reason and sha256, to become a fixture in tests/data/fuzz/ with a
regression test (tests/test_fuzz_regressions.py). Prints a table and writes OUT/summary.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.errors import IngestError  # noqa: E402
from fuzz.mutate import MUTATORS  # noqa: E402
from pipeline.run.isolate import Limits, close_pools, parse_isolated  # noqa: E402
from schemas.evidence import span_problems  # noqa: E402

FINDINGS = {"PARSER_BUG", "WORKER_CRASHED", "BAD_SPAN", "ESCAPED"}


def seeds(folder: Path) -> list[Path]:
    from tests.conftest import SAMPLES
    from tests.make_renderings import render_all

    render_all(folder, ROOT / "corpus", stems=SAMPLES)
    for stem in SAMPLES:
        (folder / f"{stem}.txt").write_bytes((ROOT / "corpus" / f"{stem}.txt").read_bytes())
    return sorted(p for p in folder.iterdir() if p.suffix in MUTATORS)


def outcome(path: Path, limits: Limits) -> tuple[str, str]:
    try:
        guide = parse_isolated(path, path.parent, limits)
    except IngestError as exc:
        return exc.reason, exc.message[:200]
    except Exception as exc:  # nothing may escape the pool
        return "ESCAPED", f"{type(exc).__name__}: {exc}"[:200]
    problems = span_problems(guide)
    return ("BAD_SPAN", problems[0][:200]) if problems else ("ok", "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "fuzz-out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30, help="seconds a worker may spend on one input")
    args = ap.parse_args(argv)
    limits = Limits(seconds=args.timeout, memory_mb=1024, max_pages=200)
    found = args.out / "findings"
    found.mkdir(parents=True, exist_ok=True)
    counts: dict[str, Counter] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="zhinan-fuzz-") as tmp:
        pool_seeds = seeds(Path(tmp) / "seeds")
        work = Path(tmp) / "inputs"
        work.mkdir()

        def worker(k: int) -> None:
            rng = random.Random(args.seed * 1000 + k)
            n = 0
            while time.monotonic() < stop_at:
                src = rng.choice(pool_seeds)
                data = MUTATORS[src.suffix](src.read_bytes(), rng)
                path = work / f"w{k}-{n}{src.suffix}"
                path.write_bytes(data)
                reason, message = outcome(path, limits)
                with lock:
                    counts.setdefault(src.suffix, Counter())[reason] += 1
                    if reason in FINDINGS:
                        sha = hashlib.sha256(data).hexdigest()[:16]
                        (found / f"{reason}-{sha}{src.suffix}").write_bytes(data)
                        (found / f"{reason}-{sha}{src.suffix}.txt").write_text(message + "\n", encoding="utf-8")
                        print(f"finding: {reason} {sha}{src.suffix}: {message}", flush=True)
                path.unlink()
                n += 1

        try:
            with ThreadPoolExecutor(args.workers) as ex:
                list(ex.map(worker, range(args.workers)))
        finally:
            close_pools()
    total = sum(sum(c.values()) for c in counts.values())
    summary = {"minutes": args.minutes, "inputs": total, "seed": args.seed,
               "by_format": {fmt: dict(sorted(c.items())) for fmt, c in sorted(counts.items())},
               "findings": sum(c[r] for c in counts.values() for r in FINDINGS)}
    (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{total} inputs in {args.minutes:g} min; findings: {summary['findings']}")
    for fmt, c in sorted(counts.items()):
        print(f"  {fmt:6} " + ", ".join(f"{r} {n}" for r, n in c.most_common()))
    return 1 if summary["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
