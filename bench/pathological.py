"""Pathological texts: does every extractor path stay linear? (issue 12.5)

    .venv/bin/python -m bench.pathological [--scale 1] [--out outputs/bench/pathological.json]

Each case is built at size n and 2n (and 4n) from a real guide sentence and parsed with
`guide_from_text` (decode excluded). A path is linear when doubling the input at most about
doubles the time: the report gives seconds, characters/s and the growth exponent
log2(t(2n)/t(n)) per step; above 1.5 is flagged. Not a unit test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCE = "项目申报单位应为在克拉玛依市境内注册，具有独立法人资格的企事业单位"


def long_line(n: int) -> str:
    """One line of n characters without punctuation (a PDF table flattened into one line)."""
    return "关于申报科技计划项目的通知\n" + (SENTENCE.replace("，", "") * (n // len(SENTENCE) + 1))[:n]


def numbered_lines(n: int) -> str:
    """n numbered requirement lines under one heading."""
    return "关于申报科技计划项目的通知\n一、申报条件\n" + "\n".join(f"{i}.{SENTENCE}。" for i in range(1, n + 1))


def many_amounts(n: int) -> str:
    """One paragraph holding n amounts."""
    return "关于申报科技计划项目的通知\n一、资助标准\n" + "，".join(f"第{i}项给予{i % 900 + 10}万元补贴" for i in range(n)) + "。"


def restarted_lists(n: int) -> str:
    """n lists that each restart at 1. under their own unnumbered heading."""
    parts = ["关于申报科技计划项目的通知", "一、支持方向"]
    for k in range(n):
        parts.append(f"方向{k}的内容")
        parts += [f"{i}.{SENTENCE}，支持金额不超过{i * 10}万元。" for i in (1, 2, 3)]
    return "\n".join(parts)


def big_guide(n: int) -> str:
    """The sample guides repeated to about n characters."""
    corpus = sorted((ROOT / "corpus").glob("*.txt"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in corpus)
    return (text * (n // len(text) + 1))[:n]


CASES = {  # name: (builder, base size at scale 1)
    "long_unpunctuated_line": (long_line, 64_000),
    "numbered_lines": (numbered_lines, 10_000),
    "many_amounts": (many_amounts, 4_000),
    "restarted_lists": (restarted_lists, 125),
    "big_guide_chars": (big_guide, 1_000_000),
}


def measure(build, n: int) -> dict:
    from extractors.document import guide_from_text

    text = build(n)
    start = time.perf_counter()
    guide = guide_from_text(text)
    seconds = time.perf_counter() - start
    return {"n": n, "chars": len(text), "seconds": round(seconds, 3), "chars_per_s": round(len(text) / seconds),
            "programs": len(guide.programs)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.pathological")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--steps", type=int, default=3, help="sizes n, 2n, 4n, …")
    ap.add_argument("--only", nargs="*", choices=sorted(CASES))
    ap.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench" / "pathological.json")
    args = ap.parse_args(argv)
    report = {}
    worst = 0.0
    for name, (build, base) in CASES.items():
        if args.only and name not in args.only:
            continue
        rows = [measure(build, int(base * args.scale) * 2 ** k) for k in range(args.steps)]
        for a, b in zip(rows, rows[1:]):
            b["growth"] = round(math.log2(max(b["seconds"], 1e-3) / max(a["seconds"], 1e-3)), 2)
            worst = max(worst, b["growth"])
        report[name] = rows
        print(f"{name:24} " + "  ".join(f"n={r['n']}: {r['seconds']:.2f}s ({r['chars_per_s']:,} c/s)"
                                       + (f" x{r['growth']}" if "growth" in r else "") for r in rows), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"worst growth exponent {worst:.2f} ({'linear' if worst <= 1.5 else 'SUPER-LINEAR'})")
    return 0 if worst <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
