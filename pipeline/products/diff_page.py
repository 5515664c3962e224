"""Renderings of a diff (`zhinan diff --format markdown|html`): the change labels in Chinese, a
Markdown table, and a standalone page (修订对照表) grouped by programme, with a filter (by words,
by kind of change; `diff.html#q=重大&kind=funding` opens filtered) and links to both guides' review
pages when the review site exists."""
from __future__ import annotations

from pipeline.products.html import document, esc, label, review_href
from schemas import Change, Diff

KIND_LABEL = {
    "program_added": "新增项目", "program_removed": "删除项目", "program_renamed": "更名",
    "funding_max_raised": "资助上限提高", "funding_max_lowered": "资助上限降低",
    "funding_min_raised": "资助下限提高", "funding_min_lowered": "资助下限降低",
    "funding_max_added": "新增上限", "funding_max_removed": "取消上限",
    "funding_min_added": "新增下限", "funding_min_removed": "取消下限",
    "funding_added": "新增资助", "funding_removed": "取消资助", "mode_added": "新增资助方式", "mode_dropped": "取消资助方式",
    "cofunding_tightened": "自筹要求提高", "cofunding_loosened": "自筹要求降低", "cofunding_added": "新增自筹要求",
    "cofunding_removed": "取消自筹要求", "duration_changed": "实施期限变化", "direction_added": "新增支持方向",
    "direction_removed": "删除支持方向", "requirement_added": "新增申报要求", "requirement_removed": "删除申报要求",
    "requirement_changed": "申报要求修改", "constraint_tightened": "条件收紧", "constraint_loosened": "条件放宽",
    "constraint_added": "新增条件", "constraint_removed": "删除条件", "contact_changed": "联系方式变化",
    "contact_added": "新增联系人", "contact_removed": "删除联系人", "deadline_changed": "时间变化",
    "deadline_added": "新增时间节点", "deadline_removed": "删除时间节点",
}
# what the kind filter offers: a group of change kinds, by their prefix
GROUPS = {"program": "项目", "funding": "资助", "duration": "实施期限", "direction": "支持方向",
          "requirement": "申报要求", "contact": "联系人", "deadline": "时间节点"}
_PREFIX = {"mode": "funding", "cofunding": "funding", "constraint": "requirement"}
GUIDE_WIDE = "全文通用"

_CSS = """td.old{background:#fff4f4}td.new{background:#f3fbf3}.kind{white-space:nowrap;font-weight:600}
.loc{color:#777;font-size:.85em}section.prog{margin:1.2em 0}section.prog h2{font-size:1.05em;margin:.2em 0}
.filter{position:sticky;top:0;background:#fff;padding:.6em 0;border-bottom:1px solid #ddd}.filter input{width:22em}"""
_SCRIPT = """const q=document.getElementById('q'),k=document.getElementById('kind'),n=document.getElementById('shown');
function apply(){const t=q.value.trim(),g=k.value;let total=0;
for(const s of document.querySelectorAll('section.prog')){let shown=0;
for(const r of s.querySelectorAll('tr.change')){const ok=(!t||s.dataset.program.includes(t)||r.textContent.includes(t))&&(!g||r.dataset.group===g);
r.hidden=!ok;if(ok)shown++;}s.hidden=!shown;total+=shown;}n.textContent=total;}
const h=new URLSearchParams(location.hash.slice(1));q.value=h.get('q')||'';k.value=h.get('kind')||'';
q.addEventListener('input',apply);k.addEventListener('change',apply);apply();"""


def group_of(kind: str) -> str:
    head = kind.split("_", 1)[0]
    return _PREFIX.get(head, head)


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
        out.append(f"| {KIND_LABEL.get(c.kind, c.kind)} | {c.program or GUIDE_WIDE} | {old[:120]} | {new[:120]} | "
                   f"{c.summary.replace('|', '/')} |")
    return "\n".join(out) + "\n"


def _cell(ev, cls: str) -> str:
    if ev is None:
        return f'<td class="{cls}">—</td>'
    loc = f"字符 {ev.span.start}-{ev.span.end}" + (f"，第 {ev.span.page} 页" if ev.span.page else "")
    return f'<td class="{cls}">{esc(ev.text)}<div class="loc">{loc}</div></td>'


def _row(c: Change) -> str:
    return (f"<tr class='change' data-group='{group_of(c.kind)}'><td class='kind'>{esc(KIND_LABEL.get(c.kind, c.kind))}"
            f"<div class='loc'>{esc(c.kind)}</div></td>{_cell(c.old_evidence, 'old')}{_cell(c.new_evidence, 'new')}"
            f"<td>{esc(c.summary)}</td></tr>")


def grouped(d: Diff) -> list[tuple[str, list[Change]]]:
    """Changes by programme, in the order the programmes were aligned, then the guide-wide ones."""
    order = [p.new_name or p.old_name for p in d.pairs]
    groups: dict[str, list[Change]] = {name: [] for name in order}
    for c in d.changes:
        groups.setdefault(c.program or GUIDE_WIDE, []).append(c)
    return [(name, cs) for name, cs in groups.items() if cs]


def diff_html(d: Diff, report: str | None = None) -> str:
    """The page; `report` is the review site's folder relative to the page (links), or None."""
    pair_of = {p.new_name or p.old_name: p for p in d.pairs}

    def review_links(name: str) -> str:
        p = pair_of.get(name)
        if report is None:
            return ""
        links = []
        for side, gid, pid in (("旧", d.old.id, p.old if p else None), ("新", d.new.id, p.new if p else None)):
            if p is None or pid:
                links.append(f"<a href='{esc(review_href(report, gid, pid))}'>{side}指南原文</a>")
        return " <span class='loc'>" + " · ".join(links) + "</span>"

    sections = []
    for name, cs in grouped(d):
        p = pair_of.get(name)
        title = esc(name) if not p or not p.old_name or p.old_name == p.new_name else \
            f"{esc(p.old_name)} → {esc(p.new_name or '—')}"
        sections.append(f"<section class='prog' data-program='{esc(name)}'><h2>{title}{review_links(name)}</h2>"
                        f"<table><tr><th>{label('change')}</th><th>{label('old')}</th><th>{label('new')}</th>"
                        f"<th>{label('summary')}</th></tr>{''.join(_row(c) for c in cs)}</table></section>")
    pairs = "".join(f"<tr><td>{esc(p.old_name or '—')}</td><td>{esc(p.new_name or '—')}</td><td>{esc(p.category)}</td>"
                    f"<td>{p.score:.2f}</td></tr>" for p in d.pairs)
    options = "".join(f"<option value='{k}'>{v} {k}</option>" for k, v in GROUPS.items())
    body = (f"<header><b>修订对照表</b> · {esc(d.old.region)} {esc(d.old.year)} → {esc(d.new.region)} {esc(d.new.year)}"
            f"</header><main><p>旧：{esc(d.old.title)} <code class='f'>{esc(d.old.path)}</code><br>"
            f"新：{esc(d.new.title)} <code class='f'>{esc(d.new.path)}</code></p>"
            f"<div class='filter'>筛选 filter <input id='q' placeholder='项目名称或文字 programme or words'> "
            f"<select id='kind'><option value=''>全部变化 all changes</option>{options}</select> "
            f"<span class='loc'>显示 <span id='shown'>{len(d.changes)}</span> / {len(d.changes)} 处变化</span></div>"
            f"{''.join(sections)}"
            f"<details><summary>项目对应 programmes aligned（{len(d.pairs)}）</summary><table><tr><th>旧</th><th>新</th>"
            f"<th>{label('category')}</th><th>{label('score')}</th></tr>{pairs}</table></details></main>")
    return document("修订对照表", body, _CSS, _SCRIPT)


def render(d: Diff, fmt: str, report: str | None = None) -> str:
    """The diff as `json`, `markdown` or `html` text."""
    if fmt == "json":
        return d.model_dump_json(indent=2) + "\n"
    return diff_html(d, report) if fmt == "html" else diff_markdown(d)
