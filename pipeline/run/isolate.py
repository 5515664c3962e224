"""Parse documents in long-lived worker subprocesses, each document under a time and a memory limit.

Prefect's `timeout_seconds` cannot interrupt a blocking parser in a thread, and pdfminer has open
hang and memory bugs (Flate bombs), so documents are parsed by `python -m pipeline.run.worker --serve`
processes, each in its own process group. A worker imports the extractors (spaCy, jieba, the rule
files) once and then parses one document after another: one JSON request line in, one response
line out. Past the time limit its group is killed (TIMEOUT) and a fresh worker takes its place;
RLIMIT_AS bounds its memory (MEMORY_LIMIT); a worker that dies is WORKER_CRASHED. A worker is
retired after a MemoryError and after `RECYCLE_AFTER` documents, so no leak builds up, and it
exits by itself when the run that started it goes away (its stdin closes). The worker returns the
record file's text (store.Parsed); the run writes it.
"""
from __future__ import annotations

import atexit
import json
import os
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from extractors.errors import IngestError
from extractors.formats.pdf import MAX_PAGES
from pipeline.run.store import Parsed

# documents one worker parses before a fresh one takes over: a worker's memory levels off after its
# first ~100 guides (245 MB, jieba's dictionary and spaCy's strings; +2 MB over the next 700), while a
# start-up costs ~2.5 s of imports, 20 % of a worker's time when it was retired every 200 text guides
RECYCLE_AFTER = 1000
STARTUP_SECONDS = 120.0  # a worker's imports, on a slow or busy machine; not counted against a document


@dataclass(frozen=True)
class Limits:
    seconds: float = float(os.environ.get("ZHINAN_TIMEOUT", 120))
    memory_mb: int = int(os.environ.get("ZHINAN_MEMORY_MB", 1536))
    max_pages: int = int(os.environ.get("ZHINAN_MAX_PAGES", MAX_PAGES))


class WorkerError(IngestError):
    def __init__(self, reason: str, message: str, error_class: str):
        super().__init__(reason, message)
        self.error_class = error_class


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when the run that started it dies, even by `kill -9`
    (a worker hung in a parser would never read the end of its stdin)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the worker still exits when its stdin closes


def _limit(memory_mb: int):
    def apply():
        os.setsid()  # its own process group, killed whole on timeout
        _die_with_parent()
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


class _Timeout(Exception):
    pass


class _NoStart(Exception):
    pass


class _Worker:
    """One `pipeline.run.worker --serve` process and its pipes."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.served = 0
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline.run.worker", "--serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr,
                                     preexec_fn=_limit(limits.memory_mb), cwd=str(Path(__file__).resolve().parents[2]))
        self._buf = b""
        self.ready = False  # the worker says `ready` once its imports are done

    def ask(self, request: dict, timeout: float) -> bytes:
        """Send one request; the response line, or _Timeout, or EOFError when the worker died. The
        time limit starts once the worker is ready: its start-up (imports) is not the document's."""
        if not self.ready:
            try:
                if self._line(STARTUP_SECONDS) != b"ready":
                    raise EOFError()
            except _Timeout:
                raise _NoStart() from None
            self.ready = True
        self.proc.stdin.write(json.dumps(request).encode("ascii") + b"\n")  # a file name may hold surrogates
        self.proc.stdin.flush()
        line = self._line(timeout)
        self.served += 1
        return line

    def _line(self, timeout: float) -> bytes:
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            deadline = time.monotonic() + timeout
            while b"\n" not in self._buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise _Timeout()
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise EOFError()
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def error_tail(self) -> str:
        self.stderr.seek(0)
        lines = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""

    def kill(self) -> int | None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.stderr.close()
        return code


class WorkerPool:
    """Workers for one set of limits, handed to the calling threads one at a time (there are never
    more workers than threads parsing at once)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()

    def _checkout(self) -> _Worker:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None or worker.proc.poll() is not None:
            if worker is not None:
                worker.kill()
            worker = _Worker(self.limits)
        with self._lock:
            self._busy.add(worker)
        return worker

    def _checkin(self, worker: _Worker, healthy: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
            if healthy and worker.served < RECYCLE_AFTER:
                self._idle.append(worker)
                return
        worker.kill()

    def parse(self, path: Path, root: Path | None) -> Parsed:
        limits = self.limits
        # the worker runs in the project folder: paths reach it absolute (`cd ~/guides && zhinan run .`)
        path, root = Path(path).absolute(), Path(root).absolute() if root else None
        request = {"path": str(path), "root": str(root) if root else None, "max_pages": limits.max_pages,
                   "fault": os.environ.get("ZHINAN_WORKER_FAULT")}
        worker = self._checkout()
        try:
            line = worker.ask(request, limits.seconds)
        except _NoStart:
            self._checkin(worker, healthy=False)
            raise WorkerError("WORKER_CRASHED", f"{path}: no worker could start within {STARTUP_SECONDS:g} s "
                              "(the machine is overloaded?)", "WorkerStartTimeout") from None
        except _Timeout:
            self._checkin(worker, healthy=False)
            raise WorkerError("TIMEOUT", f"{path}: parsing took longer than {limits.seconds:g} s; the worker was killed",
                              "TimeoutExpired") from None
        except (EOFError, BrokenPipeError):
            tail = worker.error_tail()
            with self._lock:
                self._busy.discard(worker)
            code = worker.kill()
            if "MemoryError" in tail:
                raise WorkerError("MEMORY_LIMIT", f"{path}: the worker ran out of its {limits.memory_mb} MB ({tail[:120]})",
                                  "MemoryError") from None
            if code == -signal.SIGKILL:  # not our doing (a timeout is handled above): someone else, or the OOM killer
                raise WorkerError("WORKER_CRASHED", f"{path}: the worker was killed from outside (SIGKILL: by a person, "
                                  "or by the system's out-of-memory killer)", "WorkerKilled") from None
            raise WorkerError("WORKER_CRASHED", f"{path}: the worker died with code {code} ({tail[:160]})",
                              "WorkerCrashed") from None
        status, _, payload = line.partition(b" ")
        if status == b"0":
            self._checkin(worker, healthy=True)
            return Parsed.from_json(payload)
        error = json.loads(payload)["error"]
        self._checkin(worker, healthy=error["reason"] != "MEMORY_LIMIT")
        raise WorkerError(error["reason"], error["message"], error["error_class"])

    def close(self) -> None:
        with self._lock:
            workers = self._idle + list(self._busy)
            self._idle, self._busy = [], set()
        for worker in workers:
            worker.kill()


_POOLS: dict[Limits, WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def pool(limits: Limits) -> WorkerPool:
    with _POOLS_LOCK:
        if limits not in _POOLS:
            _POOLS[limits] = WorkerPool(limits)
        return _POOLS[limits]


@atexit.register
def close_pools() -> None:
    """Stop every worker (the run calls this when it ends; atexit does on any exit)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for p in pools:
        p.close()


def parse_isolated(path: Path, root: Path | None, limits: Limits = Limits()) -> Parsed:
    """Parse one document in a worker of the pool for these limits."""
    return pool(limits).parse(path, root)
