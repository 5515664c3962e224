"""Keep Prefect offline, quiet and inside the project (STACK.md). Call before importing prefect."""
from __future__ import annotations

import os
from pathlib import Path

QUIET_PREFECT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    # the temporary server takes 11-21 s to start on a new database on a slow or busy machine; the
    # 20 s default made a first `make run` fail now and then
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}


PROJECT = Path(__file__).resolve().parents[2]


def configure_prefect(state_dir: Path | None = None) -> Path:
    """Set Prefect's environment unless the user already did; return PREFECT_HOME: the project's
    `.prefect/` (git-ignored), never whatever folder the user runs `zhinan` from."""
    home = Path(os.environ.get("PREFECT_HOME") or state_dir or PROJECT / ".prefect")
    os.environ.setdefault("PREFECT_HOME", str(home))
    for key, val in QUIET_PREFECT.items():
        os.environ.setdefault(key, val)
    return home
