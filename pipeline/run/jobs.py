"""The work of a run, as plain functions the Prefect flow arranges (and tests call directly).

discover() lists every file under the corpus, hashes it and marks what cannot be a guide;
process() turns one file into `guides/<id>.json` or a ledger row with a reason code;
finish() writes the ledger, removes records of guides no longer in the corpus and writes the
run manifest last. `discovered = ok + partial + failed + skipped`, always.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extractors.document import build_guide, display_path, load
from extractors.errors import IngestError
from extractors.files import SUFFIX_FORMAT, inspect
from pipeline.run.isolate import Limits, parse_isolated
from pipeline.run.store import Parsed, write_atomic, write_json, write_jsonl
from schemas import SCHEMA_VERSION

log = logging.getLogger("zhinan")
IGNORED_NAMES = {"MANIFEST.tsv"}  # the corpus's own manifest (README, "Corpus")
PARTIAL_CODES = {"NO_TEXT_LAYER", "GARBLED_TEXT", "PAGE_LIMIT", "NO_TEXT"}
RECORD_NAME = re.compile(r"^[0-9a-f]{16}\.json$")


FAULT = "fault"  # a task's row when the output folder failed it (never written to the ledger)


class OutputError(Exception):
    """The output folder cannot be written (disk full, read-only, no permission): a fault of the
    environment, not of any document. It stops the run with one line and a non-zero exit."""


class RunLocked(Exception):
    """Another run is writing into the same output folder."""


class RunLock:
    """An exclusive lock on OUT/.lock for the length of a run (fcntl; released when the process
    dies, so a killed run never leaves a stale lock)."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / ".lock"
        self.fh = None

    def __enter__(self) -> "RunLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = self.path.open("a")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            raise RunLocked(f"another zhinan run is writing to {self.path.parent}") from None
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()


@dataclass(slots=True)
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


@dataclass(slots=True)
class Candidate:
    """A file found by discovery. Its path is kept as text: a Path object per file (with its cached
    parts) would cost ~0.6 KB more for each file of a large corpus, for the length of the run."""

    where: str
    display: str
    sha256: str | None = None
    skip: Entry | None = None

    @property
    def path(self) -> Path:
        return Path(self.where)


@dataclass
class Summary:
    discovered: int
    counts: dict[str, int]
    failed: list[Entry] = field(default_factory=list)
    reused: int = 0
    fault: str | None = None  # why the run stopped early (the environment, not a document)

    @classmethod
    def of(cls, entries: list[Entry], reused: int = 0, fault: str | None = None) -> "Summary":
        counts: dict[str, int] = {}
        for e in entries:
            counts[e.status] = counts.get(e.status, 0) + 1
        return cls(len(entries), counts, [e for e in entries if e.status == "failed"], reused, fault)

    def line(self) -> str:
        c = self.counts
        return (f"{self.discovered} discovered: {c.get('ok', 0)} ok, {c.get('partial', 0)} partial, "
                f"{c.get('failed', 0)} failed, {c.get('skipped', 0)} skipped"
                + (f" ({self.reused} up to date, not re-parsed)" if self.reused else ""))


def _hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def readable(message: str) -> str:
    """A message as valid UTF-8: a file name's undecodable bytes (surrogates in Python) shown as
    `\\xc9` escapes, as in the ledger's `path` (a raw surrogate cannot be written to the ledger)."""
    return message.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _raw_hex(path: Path) -> str | None:
    raw = os.fsencode(path.name)
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError:
        return raw.hex()


def _walk(folder: Path, leave_out: Path | None = None):
    """Entries under folder, depth first, without following links; dot-files and the run's own
    output folder (when it lies inside the corpus) left out."""
    with os.scandir(folder) as it:
        items = sorted(it, key=lambda e: e.name)
    for e in items:
        if e.name.startswith(".") or e.name in IGNORED_NAMES:
            continue
        if leave_out is not None and Path(e.path) == leave_out:
            continue
        if e.is_dir(follow_symlinks=False):
            if Path(e.name).suffix.lower() in SUFFIX_FORMAT:
                yield Path(e.path)  # a folder named like a guide (`x.docx/`): a skipped row, and its files are read
            yield from _walk(Path(e.path), leave_out)
        else:
            yield Path(e.path)


def corpus_root(corpus: Path) -> Path:
    """The folder paths are shown relative to: the corpus itself, or a single file's folder."""
    return corpus.parent if corpus.is_file() else corpus


def discover(corpus: Path, out_dir: Path | None = None) -> list[Candidate]:
    """Every entry under `corpus` (or the one file `corpus` names), sorted; links, FIFOs and the
    like become skipped rows."""
    out: list[Candidate] = []
    seen: dict[str, str] = {}
    root = corpus_root(corpus)
    for p in [corpus] if corpus.is_file() else _walk(corpus, out_dir):
        disp = display_path(p, root)
        cand = Candidate(str(p), disp)
        problem = inspect(p, disp)
        if problem is not None:
            cand.skip = Entry(disp, "skipped" if problem.skipped else "failed", reason=problem.reason,
                              message=problem.message)
        else:
            cand.sha256 = _hash(p)
            if cand.sha256 in seen and os.path.getsize(p) > 0:  # empty files each get their own EMPTY_FILE
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
        if isolate:  # the worker's `load` checks the file again right before opening it
            parsed = parse_isolated(path, corpus, limits or Limits())
        else:
            parsed = Parsed.of(build_guide(load(path, corpus, (limits or Limits()).max_pages)))
        if expected_sha and parsed.sha256 != expected_sha:
            raise IngestError("CHANGED_DURING_RUN", f"{disp} changed between discovery and reading")
        rel = Path("guides") / f"{parsed.guide_id}.json"
        try:
            write_atomic(out_dir / rel, parsed.record)
        except OSError as exc:  # the output folder, not the document: stop the run
            raise OutputError(f"cannot write {out_dir / rel}: {exc.strerror or exc}") from exc
        partial = sorted(set(parsed.issue_codes) & PARTIAL_CODES)
        entry.status = "partial" if partial else "ok"
        entry.reason = ",".join(partial) or None
        entry.guide_id, entry.output = parsed.guide_id, rel.as_posix()
    except OutputError:
        raise
    except IngestError as exc:
        entry.reason, entry.message = exc.reason, readable(exc.message)
        entry.error_class = getattr(exc, "error_class", None) or type(exc.__cause__ or exc).__name__
        if exc.reason == "UNREADABLE" and not os.path.lexists(path):
            entry.status = "skipped"  # deleted between discovery and reading: not a failure of the file
        log.warning("%s: %s: %s", disp, exc.reason, entry.message)
    except Exception as exc:  # a parser bug must not stop the run: record it with its traceback in the log
        entry.reason, entry.error_class, entry.message = "PARSER_BUG", type(exc).__name__, readable(str(exc)[:500])
        log.exception("%s: unexpected %s", disp, type(exc).__name__)
    return entry


JOURNAL = ".journal.jsonl"   # rows of the run in progress, appended and flushed as documents finish
REUSABLE = {"ok", "partial"}  # failures are re-tried: a TIMEOUT may pass under other limits


class Journal:
    """The ledger rows of the run in progress, one line per finished document, appended, flushed
    and fsynced at once: after `kill -9` the next run reads what was finished from here. Rows carry
    the pipeline version that made them."""

    _lock = threading.Lock()  # one for every Journal of the process: the tasks of a run each hold one

    def __init__(self, out_dir: Path, version: str):
        self.path = out_dir / JOURNAL
        self.version = version

    def append(self, entry: Entry) -> None:
        line = json.dumps({**asdict(entry), "pipeline_version": self.version}, ensure_ascii=False, sort_keys=True)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def read_manifest(out_dir: Path) -> dict:
    """The folder's run.json, or {} when there is none or it cannot be read."""
    try:
        return json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _rows(path: Path) -> list[dict]:
    """JSON lines of a ledger or journal; a torn last line (a kill mid-write) is ignored."""
    rows = []
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    except FileNotFoundError:
        pass
    return rows


def previous_results(out_dir: Path, version: str) -> dict[tuple[str, str], Entry]:
    """Finished documents a run may reuse, by (path, sha256): the last complete run's ledger when
    it was made by this pipeline version, then the journal of an interrupted run (its rows win)."""
    found: dict[tuple[str, str], Entry] = {}
    rows = _rows(out_dir / "ledger.jsonl") if read_manifest(out_dir).get("pipeline_version") == version else []
    rows += [r for r in _rows(out_dir / JOURNAL) if r.pop("pipeline_version", None) == version]
    fields = set(Entry.__dataclass_fields__)
    for row in rows:
        if row.get("status") in REUSABLE and row.get("output") and (out_dir / row["output"]).is_file():
            found[(row["path"], row["sha256"])] = Entry(**{k: v for k, v in row.items() if k in fields})
    return found


def reuse(cand: Candidate, previous: dict[tuple[str, str], Entry]) -> Entry | None:
    """The earlier result for this file, when its bytes and the pipeline are unchanged."""
    return previous.get((cand.display, cand.sha256)) if cand.sha256 else None


def start(out_dir: Path, corpus: Path, version: str) -> None:
    """Mark the output folder as holding a run in progress: the manifest says `running` until
    finish() rewrites it, so a killed run never leaves a manifest that claims to be complete."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(out_dir / "run.json", {**read_manifest(out_dir), "status": "running", "corpus": str(corpus)})


def abort(out_dir: Path, entries: list[Entry], reason: str, status: str = "failed") -> Summary:
    """A run stopped early (by its environment, or interrupted): what finished stays in the journal
    for the next run; the manifest says `failed` or `interrupted` and why (if even that can be
    written)."""
    try:
        write_json(out_dir / "run.json", {**read_manifest(out_dir), "status": status, "reason": reason})
    except OSError:
        pass
    return Summary.of(entries, fault=reason)


def finish(out_dir: Path, entries: list[Entry], started: float, corpus: Path, version: str = "",
           reused: int = 0, before_manifest=None) -> Summary:
    """Write the ledger, remove records of guides no longer in the corpus (not when the run was
    over a single file: the other records are still wanted), call `before_manifest` (the exports)
    and write the manifest last: `complete` means records, ledger and exports are all in place."""
    entries.sort(key=lambda e: e.path)  # in place: the run's rows are not copied
    write_jsonl(out_dir / "ledger.jsonl", (asdict(e) for e in entries))
    keep = {Path(e.output).name for e in entries if e.output}
    guides_dir = out_dir / "guides"
    if guides_dir.is_dir():
        for f in guides_dir.iterdir():
            if RECORD_NAME.match(f.name) and f.name not in keep and corpus.is_dir():
                f.unlink()  # the guide is no longer in the corpus
            elif f.name.endswith(".tmp") and f.name.startswith("."):
                f.unlink()  # left by a killed run
    if before_manifest is not None:
        before_manifest()
    summary = Summary.of(entries, reused=reused)
    write_json(out_dir / "run.json", {
        "status": "complete", "corpus": str(corpus), "schema_version": SCHEMA_VERSION,
        "pipeline_version": version, "discovered": summary.discovered, "counts": summary.counts, "reused": reused,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "seconds": round(time.time() - started, 2),
    })
    (out_dir / JOURNAL).unlink(missing_ok=True)  # the ledger now holds every row
    return summary
