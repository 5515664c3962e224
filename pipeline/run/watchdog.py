"""Prefect's temporary server ends with the run, however the run ends.

Prefect starts its temporary API server (uvicorn) as a child of the process that first needs it and
stops it at exit; Ctrl-C, SIGTERM and a kill of the whole process group take it too. A `kill -9` of
the zhinan process alone would leave it running (~200 MB), re-parented to init. So the run starts
the server itself, then a small watchdog in its own session that polls its parent: when the parent
is gone, it stops the server (SIGTERM, then SIGKILL after 3 s) — after checking the PID still is a
Prefect uvicorn process, so a PID the system reused is never touched. A run that ends normally
stops the watchdog at exit. A run against a real Prefect server (PREFECT_API_URL) starts neither.
"""
from __future__ import annotations

import atexit
import os
import subprocess
import sys

_WATCH = r"""
import os, signal, sys, time
parent, pids = int(sys.argv[1]), [int(p) for p in sys.argv[2:]]
signal.signal(signal.SIGINT, signal.SIG_IGN)
while os.getppid() == parent:
    time.sleep(0.25)

def prefect_server(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read()
    except OSError:
        return False
    return b"\0-m\0uvicorn\0" in cmd and b"prefect.server.api.server" in cmd

for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 0.0)):
    alive = [p for p in pids if prefect_server(p)]
    for p in alive:
        try:
            os.kill(p, sig)
        except OSError:
            pass
    end = time.monotonic() + wait
    while alive and time.monotonic() < end:
        time.sleep(0.1)
        alive = [p for p in alive if prefect_server(p)]
"""
_started: dict[str, subprocess.Popen] = {}


def guard_temporary_server() -> int | None:
    """Start Prefect's temporary server now (if this run uses one) and its watchdog, once per
    process; return the server's PID, or None when the run talks to a real server."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    pid = server.server_process.pid
    if "watch" not in _started or _started["watch"].poll() is not None:
        _started["watch"] = subprocess.Popen([sys.executable, "-c", _WATCH, str(os.getpid()), str(pid)],
                                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, start_new_session=True)
        atexit.register(_stop_watch)
    return pid


def _stop_watch() -> None:
    watch = _started.pop("watch", None)
    if watch is not None and watch.poll() is None:
        watch.kill()
        watch.wait()
