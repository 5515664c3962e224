"""Atomic, deterministic output files: write to a temp file in the same folder, fsync, rename."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable


_UMASK = os.umask(0)
os.umask(_UMASK)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def write_atomic(path: Path, data: str | bytes | Iterable[str]) -> None:
    """Write `data` (text, bytes, or text in pieces — written as they come, never joined in
    memory) to a temp file beside `path`, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pieces = [data] if isinstance(data, (str, bytes)) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for sharing
        with os.fdopen(fd, "wb") as fh:
            for piece in pieces:
                fh.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json(path: Path, obj: Any) -> None:
    write_atomic(path, dumps(obj))


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    """One JSON line per row, written row by row (a 10,000-row ledger is never one string)."""
    write_atomic(path, (json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))


def remove_stale(folder: Path, pattern: str, keep: set[str]) -> list[Path]:
    """Remove the files matching `pattern` in `folder` whose names are not in `keep`: pages and
    rule files of guides that left the corpus."""
    gone = [f for f in sorted(Path(folder).glob(pattern)) if f.is_file() and f.name not in keep]
    for f in gone:
        f.unlink()
    return gone


@dataclass(frozen=True)
class Parsed:
    """A parsed guide as the run needs it: its record file's text, made where the guide was parsed
    (a worker), and what the ledger row takes from it. The run process only writes the bytes:
    validating and re-serialising every record there cost ~10 ms a document on the one core the
    run shares with its workers."""

    guide_id: str
    sha256: str
    issue_codes: tuple[str, ...]
    record: str  # dumps(guide.model_dump(mode="json")): guides/<guide_id>.json, byte for byte

    @classmethod
    def of(cls, guide) -> "Parsed":
        return cls(guide.id, guide.source.sha256, tuple(sorted({i.code for i in guide.issues})),
                   dumps(guide.model_dump(mode="json")))

    def to_json(self) -> str:
        return json.dumps([self.guide_id, self.sha256, list(self.issue_codes), self.record])

    @classmethod
    def from_json(cls, payload: str | bytes) -> "Parsed":
        guide_id, sha256, codes, record = json.loads(payload)
        return cls(guide_id, sha256, tuple(codes), record)
