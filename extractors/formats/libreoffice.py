"""LibreOffice conversions (`soffice --convert-to`), retried and reported.

LibreOffice now and then exits 0 without writing its output (a profile still being set up, an
instance still shutting down): a conversion is tried up to `attempts` times, each with a fresh
profile, within one time budget, and when none writes a file the error says what each try did.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path


class ConversionFailed(Exception):
    """LibreOffice did not write the converted file (the message says why, per attempt)."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, fmt: str, outdir: Path, timeout: float = 120, attempts: int = 3) -> Path:
    """Convert `src` to `fmt` (`docx`, `pdf`, `doc`) into `outdir`; the path written, or
    ConversionFailed. `timeout` is the budget for all attempts together."""
    exe = soffice()
    if exe is None:
        raise ConversionFailed("LibreOffice is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{src.stem}.{fmt}"
    deadline = time.monotonic() + timeout
    tries: list[str] = []
    for _ in range(attempts):
        left = deadline - time.monotonic()
        if left <= 1:
            break
        target.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory(prefix="zhinan-lo-") as profile:
            try:
                done = subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                                       "--outdir", str(outdir), str(src)], capture_output=True, timeout=left)
            except subprocess.TimeoutExpired:
                tries.append(f"timed out after {left:.0f} s")
                break
        if target.is_file() and target.stat().st_size > 0:
            return target
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        tries.append(f"exit {done.returncode}, nothing written" + (f" ({said[-1][:120]})" if said else ""))
    raise ConversionFailed(f"LibreOffice could not convert {src.name} to {fmt} "
                           f"({len(tries)} attempt{'s' if len(tries) != 1 else ''}: {'; '.join(tries) or 'no time left'})")
