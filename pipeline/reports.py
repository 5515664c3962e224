"""Renderings of diffs and comparisons: Markdown, standalone HTML (修订对照表), CSV, a chart."""
from __future__ import annotations

import base64
import csv
import html
import io
from collections import defaultdict
from pathlib import Path

from schemas import Diff, Guide

KIND_LABEL = {
    "program_added": "新增项目", "program_removed": "删除项目", "program_renamed": "更名",
    "funding_max_raised": "资助上限提高", "funding_max_lowered": "资助上限降低",
    "funding_min_raised": "资助下限提高", "funding_min_lowered": "资助下限降低",
    "funding_added": "新增资助", "funding_removed": "取消资助", "mode_added": "新增资助方式", "mode_dropped": "取消资助方式",
    "cofunding_tightened": "自筹要求提高", "cofunding_loosened": "自筹要求降低", "cofunding_added": "新增自筹要求",
    "cofunding_removed": "取消自筹要求", "duration_changed": "实施期限变化", "direction_added": "新增支持方向",
    "direction_removed": "删除支持方向", "requirement_added": "新增申报要求", "requirement_removed": "删除申报要求",
    "requirement_changed": "申报要求修改", "constraint_tightened": "条件收紧", "constraint_loosened": "条件放宽",
    "constraint_added": "新增条件", "constraint_removed": "删除条件", "contact_changed": "联系方式变化",
    "contact_added": "新增联系人", "contact_removed": "删除联系人", "deadline_changed": "时间变化",
    "deadline_added": "新增时间节点", "deadline_removed": "删除时间节点",
}
_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #bbb;padding:.4em .6em;vertical-align:top}
th{background:#f0f0f0}td.old{background:#fff4f4}td.new{background:#f3fbf3}.kind{white-space:nowrap;font-weight:600}
.loc{color:#777;font-size:.85em}caption{text-align:left;font-weight:600;margin-bottom:.4em}
td.prog{min-width:7em}"""


def _esc(s) -> str:
    return html.escape("" if s is None else str(s))


def diff_markdown(d: Diff) -> str:
    out = [f"# 修订对照：{d.old.title} → {d.new.title}", "",
           f"- 旧：{d.old.region} {d.old.year} `{d.old.path}` ({d.old.id})",
           f"- 新：{d.new.region} {d.new.year} `{d.new.path}` ({d.new.id})", "", "## 项目对应", "",
           "| 旧 | 新 | 类别 | 匹配度 |", "| --- | --- | --- | --- |"]
    for p in d.pairs:
        out.append(f"| {p.old_name or '—'} | {p.new_name or '—'} | {p.category} | {p.score:.2f} |")
    out += ["", f"## 变化（{len(d.changes)}）", "", "| 变化 | 项目 | 旧 | 新 | 说明 |", "| --- | --- | --- | --- | --- |"]
    for c in d.changes:
        old = (c.old_evidence.text if c.old_evidence else "").replace("\n", " ").replace("|", "\\|")
        new = (c.new_evidence.text if c.new_evidence else "").replace("\n", " ").replace("|", "\\|")
        out.append(f"| {KIND_LABEL.get(c.kind, c.kind)} | {c.program or '全文'} | {old[:120]} | {new[:120]} | "
                   f"{c.summary.replace('|', '/')} |")
    return "\n".join(out) + "\n"


def diff_html(d: Diff) -> str:
    rows = []
    for c in d.changes:
        def cell(ev, cls):
            if ev is None:
                return f'<td class="{cls}">—</td>'
            loc = f"字符 {ev.span.start}-{ev.span.end}" + (f"，第 {ev.span.page} 页" if ev.span.page else "")
            return f'<td class="{cls}">{_esc(ev.text)}<div class="loc">{loc}</div></td>'
        rows.append(f"<tr><td class='kind'>{_esc(KIND_LABEL.get(c.kind, c.kind))}<div class='loc'>{_esc(c.kind)}</div></td>"
                    f"<td class='prog'>{_esc(c.program or '全文')}</td>{cell(c.old_evidence, 'old')}{cell(c.new_evidence, 'new')}"
                    f"<td>{_esc(c.summary)}</td></tr>")
    pairs = "".join(f"<tr><td>{_esc(p.old_name or '—')}</td><td>{_esc(p.new_name or '—')}</td><td>{_esc(p.category)}</td>"
                    f"<td>{p.score:.2f}</td></tr>" for p in d.pairs)
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>修订对照表</title><style>{_CSS}</style></head>"
            f"<body><h1>修订对照表</h1><p>旧：{_esc(d.old.title)}（{_esc(d.old.region)} {_esc(d.old.year)}）<br>"
            f"新：{_esc(d.new.title)}（{_esc(d.new.region)} {_esc(d.new.year)}）</p>"
            f"<table><caption>项目对应</caption><tr><th>旧</th><th>新</th><th>类别</th><th>匹配度</th></tr>{pairs}</table>"
            f"<table><caption>变化 {len(d.changes)} 处</caption><tr><th>变化</th><th>项目</th><th>原文（旧）</th><th>新文</th>"
            f"<th>说明</th></tr>{''.join(rows)}</table></body></html>\n")


# ---------------------------------------------------------------- compare
COLUMNS = ["category", "region", "region_code", "year", "guide_id", "program_id", "program", "min_cny", "max_cny",
           "funding", "modes", "cofunding", "duration", "key_constraints"]


def _wan(v) -> str:
    return "" if v is None or v == "" else f"{v / 10000:g}"


def compare_rows(guides: list[Guide]) -> list[dict]:
    rows = []
    for g in guides:
        for p in g.programs:
            f = next((x for x in p.funding if x.min_cny is not None or x.max_cny is not None), p.funding[0] if p.funding else None)
            cof = next((x.cofunding for x in p.funding if x.cofunding), None)
            cons = sorted({f"{c.subject}.{c.field} {c.op} {c.value}" for r in p.requirements for c in r.constraints})
            rows.append({
                "category": p.category, "region": g.region.name or "", "region_code": g.region.code or "",
                "year": g.year or "", "guide_id": g.id, "program_id": p.id, "program": p.name,
                "min_cny": f.min_cny if f and f.min_cny is not None else "", "max_cny": f.max_cny if f and f.max_cny is not None else "",
                "funding": (f"{_wan(f.min_cny)}-{_wan(f.max_cny)}万元" if f and (f.min_cny or f.max_cny) else ""),
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
    from pipeline.store import write_atomic

    write_atomic(path, "\ufeff" + buf.getvalue())  # UTF-8 with BOM: Excel opens Chinese correctly


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    for f in font_manager.fontManager.ttflist:
        if "CJK SC" in f.name or f.name in ("Noto Sans SC", "SimHei", "Microsoft YaHei", "WenQuanYi Zen Hei"):
            return f.name
    return None


def funding_chart(rows: list[dict]) -> str:
    """A PNG (base64) of each programme's funding range, one bar per programme, grouped by category."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font]
    plt.rcParams["svg.hashsalt"] = "zhinan"
    data = [r for r in rows if r["max_cny"] != "" or r["min_cny"] != ""]
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.36 * len(data) + 1)), dpi=100)
    cats = sorted({r["category"] for r in data})
    colours = {c: plt.cm.tab10(k % 10) for k, c in enumerate(cats)}
    labels = []
    for k, r in enumerate(data):
        lo = (r["min_cny"] if r["min_cny"] != "" else 0) / 10000
        hi = (r["max_cny"] if r["max_cny"] != "" else r["min_cny"]) / 10000
        ax.barh(k, max(hi - lo, hi * 0.02), left=lo, color=colours[r["category"]], height=0.6)
        rng = f"≤{_wan(r['max_cny'])}" if r["min_cny"] == "" else (
            f"≥{_wan(r['min_cny'])}" if r["max_cny"] == "" else f"{_wan(r['min_cny'])}-{_wan(r['max_cny'])}")
        ax.text(hi, k, f" {rng}", va="center", fontsize=7)
        place = r["region"] if font else r["region_code"]
        labels.append(f"{place} {r['year']} {r['program'] if font else r['program_id']}")
    ax.set_yticks(range(len(data)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("funding per project, 10k yuan (万元, log scale)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[c]) for c in cats]
    ax.legend(handles, cats, fontsize=7, loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def compare_html(rows: list[dict], by: str, timelines: list[tuple[str, list[Diff]]]) -> str:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[str(r[by]) if by != "region" else f"{r['region']} {r['region_code']}"].append(r)
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>指南比较</title><style>{_CSS}</style>"
             f"</head><body><h1>指南比较（按 {_esc(by)}）</h1>",
             f"<img alt='各指南项目资助额度' style='max-width:100%' src='data:image/png;base64,{funding_chart(rows)}'>"]
    cols = [c for c in COLUMNS if c not in ("guide_id", "program_id", "min_cny", "max_cny")]
    for key in sorted(groups):
        body = "".join("<tr>" + "".join(f"<td>{_esc(r[c])}</td>" for c in cols) + "</tr>" for r in groups[key])
        parts.append(f"<table><caption>{_esc(key)}</caption><tr>{''.join(f'<th>{c}</th>' for c in cols)}</tr>{body}</table>")
    for region, diffs in timelines:
        parts.append(f"<h2>{_esc(region)}：逐年变化</h2>")
        for d in diffs:
            items = "".join(f"<li>{_esc(c.summary)}</li>" for c in d.changes
                            if not c.kind.startswith(("requirement_", "contact_")))
            parts.append(f"<h3>{_esc(d.old.year)} → {_esc(d.new.year)}</h3><ul>{items}</ul>")
    parts.append("</body></html>\n")
    return "".join(parts)
