"""Run the parser of one document in a subprocess with a time and a memory limit.

Prefect's `timeout_seconds` cannot interrupt a blocking parser in a thread, and pdfminer has open
hang and memory bugs (Flate bombs), so each document is parsed by `python -m pipeline.worker` in
its own process group: past the time limit the group is killed (TIMEOUT); RLIMIT_AS bounds its
memory (MEMORY_LIMIT); a crash is WORKER_CRASHED. The parent validates the record it gets back.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from extractors.errors import IngestError
from extractors.formats.pdf import MAX_PAGES
from schemas import Guide


@dataclass(frozen=True)
class Limits:
    seconds: float = float(os.environ.get("ZHINAN_TIMEOUT", 120))
    memory_mb: int = int(os.environ.get("ZHINAN_MEMORY_MB", 1536))
    max_pages: int = int(os.environ.get("ZHINAN_MAX_PAGES", MAX_PAGES))


class WorkerError(IngestError):
    def __init__(self, reason: str, message: str, error_class: str):
        super().__init__(reason, message)
        self.error_class = error_class


def _limit(memory_mb: int):
    def apply():
        os.setsid()  # its own process group, killed whole on timeout
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def parse_isolated(path: Path, root: Path | None, limits: Limits = Limits()) -> Guide:
    request = json.dumps({"path": str(path), "root": str(root) if root else None, "max_pages": limits.max_pages})
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_limit(limits.memory_mb),
                            cwd=str(Path(__file__).resolve().parents[1]))
    try:
        out, err = proc.communicate(request.encode("utf-8"), timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise WorkerError("TIMEOUT", f"{path}: parsing took longer than {limits.seconds:g} s; the worker was killed",
                          "TimeoutExpired")
    if proc.returncode == 0:
        return Guide.model_validate_json(out)
    if proc.returncode == 3:
        e = json.loads(out)["error"]
        raise WorkerError(e["reason"], e["message"], e["error_class"])
    tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    if b"MemoryError" in err or proc.returncode == -signal.SIGKILL:
        raise WorkerError("MEMORY_LIMIT", f"{path}: the worker ran out of its {limits.memory_mb} MB ({tail[0][:120]})",
                          "MemoryError")
    raise WorkerError("WORKER_CRASHED", f"{path}: the worker died with code {proc.returncode} ({tail[0][:160]})",
                      "WorkerCrashed")
