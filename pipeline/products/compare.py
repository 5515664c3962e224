"""`zhinan compare`: every programme of every record side by side — a CSV for analysts and a page
(compare.html) with a funding chart, one table per category (or region, year), the programmes that
state no amount, and each region's year-to-year changes. Programme names link to their evidence on
the review site.

The chart draws what the guides say: a range as a bar from its floor to its ceiling, a cap alone
(`不超过100万元`) as a dotted line up to a tick at the cap (no floor is drawn, none was stated), a
floor alone as a dotted line from a tick onwards, a single amount as a dot. It is inline SVG; each
mark's id names its shape, guide and programme (`cap-<guide_id>-<program_id>`).
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from pipeline.products.diff import diff
from pipeline.products.html import LABELS, amount, document, esc, label, review_href, site_link
from pipeline.products.records import headline_funding
from pipeline.run.store import write_atomic
from schemas import Diff, Guide

COLUMNS = ["category", "region", "region_code", "year", "guide_id", "program_id", "program", "min_cny", "max_cny",
           "funding", "modes", "cofunding", "duration", "key_constraints"]
BY = ("category", "region", "year")
_CSS = """.chart svg{max-width:100%;height:auto}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em}"""


def compare_rows(guides: list[Guide]) -> list[dict]:
    rows = []
    for g in guides:
        for p in g.programs:
            f = headline_funding(p)
            cof = next((x.cofunding for x in p.funding if x.cofunding), None)
            cons = sorted({f"{c.subject}.{c.field} {c.op} {c.value}" for r in p.requirements for c in r.constraints})
            lo, hi = (f.min_cny, f.max_cny) if f else (None, None)
            rows.append({
                "category": p.category, "region": g.region.name or "", "region_code": g.region.code or "",
                "year": g.year or "", "guide_id": g.id, "program_id": p.id, "program": p.name,
                "min_cny": "" if lo is None else lo, "max_cny": "" if hi is None else hi,
                "funding": "" if lo is None and hi is None else amount(lo, hi),
                "modes": ",".join(sorted({m for x in p.funding for m in x.modes})),
                "cofunding": f"{cof.kind} {cof.min:g}" if cof else "",
                "duration": _years(p.duration),
                "key_constraints": "; ".join(cons[:8]),
            })
    rows.sort(key=lambda r: (r["category"], str(r["region_code"]), str(r["year"]), r["program_id"]))
    return rows


def _years(d) -> str:
    if d is None:
        return ""
    lo = "" if d.min_years is None else f"{d.min_years:g}"
    hi = "" if d.max_years is None else f"{d.max_years:g}"
    return f"{lo}-{hi}年" if lo and hi else (f"≤{hi}年" if hi else f"≥{lo}年")


def write_csv(rows: list[dict], path: Path) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    write_atomic(path, "\ufeff" + buf.getvalue())  # UTF-8 with BOM: Excel opens Chinese correctly


def shape(row: dict) -> tuple[str, float | None, float | None]:
    """How a row's amount is drawn, in 万元: ("range", lo, hi), ("cap", None, hi), ("floor", lo, None),
    ("fixed", v, v), or ("none", None, None) for a programme that states no amount."""
    lo = None if row["min_cny"] == "" else row["min_cny"] / 10000
    hi = None if row["max_cny"] == "" else row["max_cny"] / 10000
    if lo is None and hi is None:
        return "none", None, None
    if lo is None:
        return "cap", None, hi
    if hi is None:
        return "floor", lo, None
    return ("fixed", lo, hi) if lo == hi else ("range", lo, hi)


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    for f in font_manager.fontManager.ttflist:
        if "CJK SC" in f.name or f.name in ("Noto Sans SC", "SimHei", "Microsoft YaHei", "WenQuanYi Zen Hei"):
            return f.name
    return None


def funding_chart(rows: list[dict]) -> str:
    """An inline SVG of each programme's amount (see the module doc for the shapes), by category."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    plt.rcParams.update({"svg.hashsalt": "zhinan", "svg.fonttype": "path"})
    if font:
        plt.rcParams["font.sans-serif"] = [font]
    data = [(r, shape(r)) for r in rows if shape(r)[0] != "none"]
    fig, ax = plt.subplots(figsize=(12, max(2.5, 0.3 * len(data) + 1.2)), dpi=100)
    if not data:
        ax.text(0.5, 0.5, "no programme states an amount", ha="center", va="center")
        ax.set_axis_off()
        return _svg(fig, plt)
    values = [v for _, (_, lo, hi) in data for v in (lo, hi) if v]
    left, right = min(values) / 3, max(values) * 3
    cats = sorted({r["category"] for r, _ in data})
    colours = {c: plt.cm.tab10(k % 10) for k, c in enumerate(cats)}
    labels = []
    for k, (r, (kind, lo, hi)) in enumerate(data):
        colour, gid = colours[r["category"]], f"{kind}-{r['guide_id']}-{r['program_id']}"
        if kind == "range":
            artist = ax.barh(k, hi - lo, left=lo, color=colour, height=0.6)[0]
        elif kind == "fixed":
            artist = ax.plot([lo], [k], "o", color=colour)[0]
        elif kind == "cap":  # up to the cap: no floor was stated, so none is drawn
            artist = ax.plot([left, hi], [k, k], ":", color=colour, linewidth=2, marker="|", markevery=[1],
                             markersize=12)[0]
        else:  # a floor alone: from the floor on
            artist = ax.plot([lo, right], [k, k], ":", color=colour, linewidth=2, marker="|", markevery=[0],
                             markersize=12)[0]
        artist.set_gid(gid)
        ax.text(hi or lo, k, f" {r['funding']}", va="center", fontsize=7)  # amount() of the row's yuan
        place = r["region"] if font else r["region_code"]
        name = r["program"] if font else r["program_id"]
        labels.append(f"{place} {r['year']} {name if len(name) <= 20 else name[:19] + '…'}")
    ax.set_yticks(range(len(data)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(left, right)
    ax.set_xlabel("资助额度 per project, 万元 (log scale)" if font else "funding per project, 10k yuan (log scale)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[c]) for c in cats]
    handles += [plt.Line2D([], [], linestyle=":", color="#555", marker="|", markersize=10),
                plt.Line2D([], [], linestyle="", marker="o", color="#555")]
    ax.legend(handles, cats + ["cap only (≤) / floor only (≥)", "one amount"], fontsize=7, loc="upper left",
              bbox_to_anchor=(1.01, 1), borderaxespad=0)
    fig.tight_layout()
    return _svg(fig, plt)


def _svg(fig, plt) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def timelines(guides: list[Guide]) -> list[tuple[str, list[Diff]]]:
    """Per region with guides of two or more years: the diff of each year's first guide to the next."""
    by_region: dict[str, list[Guide]] = defaultdict(list)
    for g in guides:
        by_region[g.region.code or "?"].append(g)
    out = []
    for _, gs in sorted(by_region.items()):
        years = sorted({g.year for g in gs if g.year})
        if len(years) >= 2:
            firsts = [min((g for g in gs if g.year == y), key=lambda g: g.id) for y in years]
            out.append((firsts[0].region.name or "", [diff(a, b) for a, b in zip(firsts, firsts[1:])]))
    return out


def _link(row: dict, report: str | None) -> str:
    name = esc(row["program"])
    return f"<a href='{esc(review_href(report, row['guide_id'], row['program_id']))}'>{name}</a>" if report else name


def compare_html(rows: list[dict], by: str, lines: list[tuple[str, list[Diff]]], report: str | None = None) -> str:
    """The page; `report` is the review site's folder relative to the page (links), or None."""
    from pipeline.products.diff_page import KIND_LABEL

    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[str(r[by]) if by != "region" else f"{r['region']} {r['region_code']}"].append(r)
    cols = ["region", "year", "program", "funding", "modes", "cofunding", "duration", "key_constraints"]
    heads = "".join(f"<th>{label(c) if c != 'program' else label('program')}</th>" if c != "funding" else
                    f"<th>{esc(LABELS['amount'])}<code class='f'>funding</code></th>" for c in cols)
    parts = [f"<header><b>指南比较</b> · {len({r['guide_id'] for r in rows})} 份指南 guides · {len(rows)} 个项目 "
             f"programmes</header><main>",
             "<h2>各项目资助额度 <code class='f'>funding per project</code></h2>"
             "<p class='muted'>实线：区间；虚线至竖线：仅有上限（≤），未列下限；竖线起虚线：仅有下限（≥）；圆点：固定额度。"
             " Solid bar: a range; dotted line up to a tick: a cap only (no floor stated); dotted from a tick: "
             "a floor only; dot: one amount.</p>",
             f"<div class='chart'>{funding_chart(rows)}</div>",
             f"<h2>按{esc(LABELS.get(by, by))}<code class='f'>by {esc(by)}</code></h2>"]
    for key in sorted(groups):
        body = "".join("<tr>" + "".join(f"<td>{_link(r, report) if c == 'program' else esc(r[c])}</td>" for c in cols)
                       + "</tr>" for r in groups[key])
        parts.append(f"<table><caption>{esc(key)}</caption><tr>{heads}</tr>{body}</table>")
    silent = [r for r in rows if shape(r)[0] == "none"]
    parts.append(f"<h2 id='no-amount'>未列金额的项目 <code class='f'>no amount stated</code>（{len(silent)}）</h2>")
    if silent:
        body = "".join(f"<tr><td>{esc(r['region'])}</td><td>{esc(r['year'])}</td><td>{_link(r, report)}</td>"
                       f"<td>{esc(r['category'])}</td><td>{esc(r['modes'])}</td></tr>" for r in silent)
        parts.append(f"<table><tr><th>{label('region')}</th><th>{label('year')}</th><th>{label('program')}</th>"
                     f"<th>{label('category')}</th><th>{label('modes')}</th></tr>{body}</table>")
    else:
        parts.append("<p class='muted'>every programme states an amount</p>")
    for region, diffs in lines:
        parts.append(f"<h2>{esc(region)}：逐年变化 <code class='f'>changes year to year</code></h2>")
        for d in diffs:
            items = "".join(f"<li><b>{esc(KIND_LABEL.get(c.kind, c.kind))}</b> {esc(c.program or '全文')}："
                            f"{esc(c.summary)}</li>" for c in d.changes
                            if not c.kind.startswith(("requirement_", "contact_")))
            parts.append(f"<h3>{esc(d.old.year)} → {esc(d.new.year)}</h3><ul>{items}</ul>")
    parts.append("</main>")
    return document("指南比较 compare", "".join(parts), _CSS)


def write_compare(guides: list[Guide], folder: Path, by: str = "category", report: Path | None = None) -> list[Path]:
    """compare.csv and compare.html in `folder`; programme names link into the review site at
    `report` when it exists. Returns the files written."""
    rows = compare_rows(guides)
    rel = site_link(report, folder) if report is not None else None
    write_csv(rows, folder / "compare.csv")
    write_atomic(folder / "compare.html", compare_html(rows, by, timelines(guides), rel))
    return [folder / "compare.csv", folder / "compare.html"]
