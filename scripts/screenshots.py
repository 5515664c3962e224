"""Make the screenshots in docs/ with the code the tests render: a run over the corpus plus the
2022 Karamay guide as a PDF (tests/make_renderings.py), then `zhinan report`, `zhinan compare` and
`zhinan diff --format html` (Karamay 2017 → 2022), each page shot in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--keep DIR]

Writes docs/review-page.png (a text guide), docs/review-pdf.png (the PDF guide at page 3, its
running header and page number dimmed), docs/compare.png and docs/diff.png.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

K2017, K2022 = "000_8708816bca33718b", "003_b20fb3b92bb753f0"


def zhinan(*args: str) -> None:
    subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args], cwd=ROOT, check=True)


def shoot(browser: str, url: str, png: Path, profile: Path, size: str = "1280,820") -> None:
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                    f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size={size}", url],
                   check=True, capture_output=True, timeout=120)
    print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one)")
    args = ap.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        sys.exit("Chromium is not installed (apt-get install chromium)")
    from pipeline.products.records import load
    from tests.make_renderings import render_all

    work = args.keep or Path(tempfile.mkdtemp(prefix="zhinan-shots-"))
    corpus, out = work / "corpus", work / "out"
    corpus.mkdir(parents=True, exist_ok=True)
    for f in (ROOT / "corpus").glob("*.txt"):
        shutil.copy(f, corpus / f.name)
    render_all(work / "rend", ROOT / "corpus", stems=[K2022])
    shutil.copy(work / "rend" / f"{K2022}.pdf", corpus / f"{K2022}.pdf")
    zhinan("run", str(corpus), "--out", str(out), "--export", "none")
    zhinan("report", "--records", str(out))
    zhinan("compare", "--records", str(out))
    guides = {g.source.path: g for g in load(out)}
    old, new, pdf = guides[f"{K2017}.txt"], guides[f"{K2022}.txt"], guides[f"{K2022}.pdf"]
    zhinan("diff", old.id, new.id, "--records", str(out), "--format", "html", "-o", str(out / "diff.html"))
    docs, profile = ROOT / "docs", work / "profile"
    site = out / "report" / "guides"
    shoot(browser, (site / f"{new.id}.html").as_uri() + "#e5", docs / "review-page.png", profile)
    shoot(browser, (site / f"{pdf.id}.html").as_uri() + "#page-3", docs / "review-pdf.png", profile)
    shoot(browser, (out / "compare.html").as_uri(), docs / "compare.png", profile, "1280,1400")
    shoot(browser, (out / "diff.html").as_uri() + "#q=重大科技专项", docs / "diff.png", profile, "1280,1100")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
