"""The work of a run, as plain functions the Prefect flow arranges (and tests call directly).

discover() lists every file under the corpus, hashes it and marks what cannot be a guide;
process() turns one file into `guides/<id>.json` or a ledger row with a reason code;
finish() writes the ledger, removes records of guides no longer in the corpus and writes the
run manifest last. `discovered = ok + partial + failed + skipped`, always.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extractors.document import SUFFIX_FORMAT, build_guide, check_regular_file, display_path, load
from extractors.errors import IngestError
from pipeline.isolate import Limits, parse_isolated
from pipeline.store import dumps, write_atomic, write_json, write_jsonl
from schemas import SCHEMA_VERSION

log = logging.getLogger("zhinan")
IGNORED_NAMES = {"MANIFEST.tsv"}  # the corpus's own manifest (README, "Corpus")
PARTIAL_CODES = {"NO_TEXT_LAYER", "GARBLED_TEXT", "PAGE_LIMIT", "NO_TEXT"}
RECORD_NAME = re.compile(r"^[0-9a-f]{16}\.json$")


@dataclass
class Entry:
    """One ledger row. No clock times: the ledger of a rerun is byte-identical."""

    path: str
    status: str  # ok | partial | failed | skipped
    sha256: str | None = None
    reason: str | None = None
    error_class: str | None = None
    message: str | None = None
    guide_id: str | None = None
    output: str | None = None
    duplicate_of: str | None = None
    raw_name_hex: str | None = None  # the file name's bytes when they are not UTF-8


@dataclass
class Candidate:
    path: Path
    display: str
    sha256: str | None = None
    skip: Entry | None = None


@dataclass
class Summary:
    discovered: int
    counts: dict[str, int]
    failed: list[Entry] = field(default_factory=list)

    def line(self) -> str:
        c = self.counts
        return (f"{self.discovered} discovered: {c.get('ok', 0)} ok, {c.get('partial', 0)} partial, "
                f"{c.get('failed', 0)} failed, {c.get('skipped', 0)} skipped")


def _hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _raw_hex(path: Path) -> str | None:
    raw = os.fsencode(path.name)
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError:
        return raw.hex()


def _walk(folder: Path):
    """Entries under folder, depth first, without following links; dot-files left out."""
    with os.scandir(folder) as it:
        items = sorted(it, key=lambda e: e.name)
    for e in items:
        if e.name.startswith(".") or e.name in IGNORED_NAMES:
            continue
        if e.is_dir(follow_symlinks=False) and Path(e.name).suffix.lower() not in SUFFIX_FORMAT:
            yield from _walk(Path(e.path))
        else:
            yield Path(e.path)


def discover(corpus: Path) -> list[Candidate]:
    """Every entry under `corpus`, sorted; links, FIFOs and the like become skipped rows."""
    out: list[Candidate] = []
    seen: dict[str, str] = {}
    for p in _walk(corpus):
        disp = display_path(p, corpus)
        cand = Candidate(p, disp)
        try:
            st = os.lstat(p)
        except OSError as exc:
            cand.skip = Entry(disp, "skipped", reason="UNREADABLE", message=exc.strerror)
            out.append(cand)
            continue
        kind = ("symbolic link" if stat.S_ISLNK(st.st_mode) else "directory" if stat.S_ISDIR(st.st_mode)
                else None if stat.S_ISREG(st.st_mode) else "special file (FIFO, socket or device)")
        if kind:
            cand.skip = Entry(disp, "skipped", reason="NOT_REGULAR_FILE", message=f"{disp} is a {kind}")
        elif p.suffix.lower() not in SUFFIX_FORMAT:
            cand.skip = Entry(disp, "skipped", reason="UNSUPPORTED_FORMAT",
                              message=f"{disp}: {p.suffix or 'no suffix'} is not a guide format")
        else:
            cand.sha256 = _hash(p)
            if cand.sha256 in seen and st.st_size > 0:  # empty files each get their own EMPTY_FILE
                cand.skip = Entry(disp, "skipped", sha256=cand.sha256, reason="DUPLICATE",
                                  message=f"same bytes as {seen[cand.sha256]}", duplicate_of=seen[cand.sha256])
            else:
                seen[cand.sha256] = disp
        if cand.skip:
            cand.skip.raw_name_hex = _raw_hex(p)
        out.append(cand)
    return out


def process(path: Path, corpus: Path, out_dir: Path, expected_sha: str | None, isolate: bool = True,
            limits: Limits | None = None) -> Entry:
    """Extract one guide (in a worker subprocess unless `isolate` is off) and write its record
    atomically; never raises for a bad document."""
    disp = display_path(path, corpus)
    entry = Entry(disp, "failed", sha256=expected_sha, raw_name_hex=_raw_hex(path))
    try:
        if isolate:
            check_regular_file(path)
            guide = parse_isolated(path, corpus, limits or Limits())
        else:
            guide = build_guide(load(path, corpus, (limits or Limits()).max_pages))
        if expected_sha and guide.source.sha256 != expected_sha:
            raise IngestError("CHANGED_DURING_RUN", f"{disp} changed between discovery and reading")
        rel = Path("guides") / f"{guide.id}.json"
        write_atomic(out_dir / rel, dumps(guide.model_dump(mode="json")))
        partial = sorted({i.code for i in guide.issues} & PARTIAL_CODES)
        entry.status = "partial" if partial else "ok"
        entry.reason = ",".join(partial) or None
        entry.guide_id, entry.output = guide.id, rel.as_posix()
    except IngestError as exc:
        entry.reason, entry.message = exc.reason, exc.message
        entry.error_class = getattr(exc, "error_class", None) or type(exc.__cause__ or exc).__name__
        log.warning("%s: %s", disp, exc)
    except Exception as exc:  # a parser bug must not stop the run: record it with its traceback in the log
        entry.reason, entry.error_class, entry.message = "PARSER_BUG", type(exc).__name__, str(exc)[:500]
        log.exception("%s: unexpected %s", disp, type(exc).__name__)
    return entry


def finish(out_dir: Path, entries: list[Entry], started: float, corpus: Path) -> Summary:
    entries = sorted(entries, key=lambda e: e.path)
    write_jsonl(out_dir / "ledger.jsonl", [asdict(e) for e in entries])
    keep = {Path(e.output).name for e in entries if e.output}
    guides_dir = out_dir / "guides"
    if guides_dir.is_dir():
        for f in guides_dir.iterdir():
            if RECORD_NAME.match(f.name) and f.name not in keep:
                f.unlink()  # the guide is no longer in the corpus
            elif f.name.endswith(".tmp") and f.name.startswith("."):
                f.unlink()  # left by a killed run
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.status] = counts.get(e.status, 0) + 1
    summary = Summary(len(entries), counts, [e for e in entries if e.status == "failed"])
    write_json(out_dir / "run.json", {
        "corpus": str(corpus), "schema_version": SCHEMA_VERSION, "discovered": summary.discovered,
        "counts": counts, "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "seconds": round(time.time() - started, 2),
    })
    return summary
