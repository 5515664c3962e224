"""`make test` on a fresh machine: what the suite needs beyond Python is installed or its skip announced."""
from __future__ import annotations

import os
import subprocess

from tests.conftest import ROOT


def test_missing_browser_and_libreoffice_are_announced_not_silently_skipped(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").symlink_to("/usr/bin/id")
    r = subprocess.run(["/bin/bash", str(ROOT / "scripts" / "test-deps.sh")], capture_output=True, text=True,
                       env={"PATH": str(bin_dir), "ZHINAN_NO_INSTALL": "1"}, timeout=30)
    assert r.returncode == 0
    assert r.stdout.splitlines() == [
        "Chromium is missing: the headless-browser tests will be skipped (apt-get install chromium)",
        "LibreOffice is missing: the legacy .doc and LibreOffice-PDF tests will be skipped "
        "(apt-get install libreoffice-writer-nogui)"]


def test_make_test_runs_the_dependency_step_and_prints_skip_reasons():
    recipe = subprocess.run(["make", "-n", "test", "VENV=" + os.environ.get("VIRTUAL_ENV", str(ROOT / ".venv"))],
                            cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    lines = [x.strip() for x in recipe.splitlines()]
    deps = next(k for k, x in enumerate(lines) if x.endswith("scripts/test-deps.sh"))
    tests = next(k for k, x in enumerate(lines) if "-m pytest" in x)
    assert deps < tests and "-rs" in lines[tests].split()
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")
