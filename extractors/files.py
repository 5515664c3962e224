"""What a path is, decided in one place: a regular file of a guide format under the size cap, or the
reason it is not. Discovery (pipeline/run/jobs.py) asks before hashing a file; reading
(extractors/document.py `load`) asks again right before opening it, because a file can change
between the two (an open FIFO would block the reader)."""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

MAX_FILE_BYTES = 200 * 1024 * 1024
SUFFIX_FORMAT = {".txt": "txt", ".text": "txt", ".pdf": "pdf", ".docx": "docx", ".doc": "docx", ".html": "html",
                 ".htm": "html"}


class Problem(NamedTuple):
    reason: str   # README reason code
    message: str
    skipped: bool  # a path that is not a guide at all (skipped row) rather than a guide that failed


def inspect(path: Path, shown: str | Path) -> Problem | None:
    """None for a readable guide file; otherwise why not, without following links or opening it."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return Problem("UNREADABLE", f"{shown}: {exc.strerror}", True)
    if stat.S_ISLNK(st.st_mode):
        return Problem("NOT_REGULAR_FILE", f"{shown} is a symbolic link", True)
    if stat.S_ISDIR(st.st_mode):
        return Problem("NOT_REGULAR_FILE", f"{shown} is a directory", True)
    if not stat.S_ISREG(st.st_mode):
        return Problem("NOT_REGULAR_FILE", f"{shown} is a special file (FIFO, socket or device)", True)
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIX_FORMAT:
        return Problem("UNSUPPORTED_FORMAT", f"{shown}: {Path(path).suffix or 'no suffix'} is not a guide format "
                       "(.txt, .pdf, .docx, .doc, .html)", True)
    if st.st_size > MAX_FILE_BYTES:
        return Problem("TOO_LARGE", f"{shown} has {st.st_size} bytes, over the {MAX_FILE_BYTES}-byte cap", False)
    return None
