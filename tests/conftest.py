"""Shared fixtures. Prefect's home goes to a temporary folder before anything imports prefect."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="zhinan-prefect-test-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
from pipeline.run.settings import configure_prefect  # noqa: E402

configure_prefect(Path(_PREFECT_HOME))

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD = Path(__file__).parent / "data" / "gold"
STEMS = sorted(p.stem for p in CORPUS.glob("*.txt"))
# the five sample guides the project started from keep their exact answers (tests/test_golden*.py);
# every guide, samples and the development set, is scored field by field in tests/test_scores.py
SAMPLES = sorted(line.split("\t")[0][:-4] for line in (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
                 if line.split("\t")[-1].startswith("zhinan sample corpus"))


def gold(stem: str) -> dict:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def records():
    """Every corpus guide extracted once, by stem."""
    from extractors.document import extract_file

    return {stem: extract_file(CORPUS / f"{stem}.txt", CORPUS) for stem in STEMS}


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.fixture(scope="session")
def renderings(tmp_path_factory):
    """PDF, DOCX and HTML renderings of the sample guides (and LibreOffice PDFs when installed); the
    development set's own published forms are in tests/data/as-published."""
    import shutil

    from tests.make_renderings import render_all

    out = tmp_path_factory.mktemp("renderings")
    lo = bool(shutil.which("soffice") or shutil.which("libreoffice"))
    render_all(out, CORPUS, with_libreoffice=lo, stems=SAMPLES)
    return out


def chromium(*args: str, profile):
    """Run Debian's headless Chromium (as root, with the flags this workplace needs), or skip."""
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        print("Chromium is not installed (apt-get install chromium): browser test skipped")
        pytest.skip("Chromium is not installed")
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)


def run_state(out) -> dict[str, bytes]:
    """The bytes of a run's records and ledger: what two runs must agree on."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and (p.parent.name == "guides" or p.name == "ledger.jsonl")}
