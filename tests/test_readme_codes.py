"""The README's reason-code table is complete: every code the code can raise or record is in it."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATTERNS = [r'IngestError\(\s*"([A-Z_]+)"', r'WorkerError\(\s*"([A-Z_]+)"', r'issues\.append\(\(\s*"([A-Z_]+)"',
            r'Issue\(code="([A-Z_]+)"', r'fail\("([A-Z_]+)"']


def _codes() -> set[str]:
    found = set()
    for folder in ("extractors", "pipeline"):
        for f in (ROOT / folder).rglob("*.py"):
            src = f.read_text(encoding="utf-8")
            for pat in PATTERNS:
                found.update(re.findall(pat, src))
    return found


def test_every_reason_and_issue_code_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    codes = _codes()
    assert {"PDF_CORRUPT", "DOCX_TEXT_LOST", "DEEP_NESTING", "TOO_LARGE", "NO_TEXT"} <= codes
    missing = sorted(c for c in codes if f"`{c}`" not in readme)
    assert missing == []
