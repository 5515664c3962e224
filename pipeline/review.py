"""The review site (`zhinan report`): an index of guides and one page per guide with its text, every
extracted span highlighted and labelled, next to the record. Clicking a value jumps to its
evidence (plain anchors; the page has no scripts). Items to check stand out: requirements left as
text (no constraint parsed), funding without an amount, programmes without funding, issues.

Highlights are faithful to the spans: each <mark> holds exactly text[start:end] of the record.
Where two spans cross (neither holds the other) the later one is listed in the panel but not
marked in the text, and the panel says so.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from pipeline.store import write_atomic
from schemas import Guide

_CSS = """*{box-sizing:border-box}body{margin:0;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222}
header{padding:.8em 1.2em;background:#263238;color:#fff}header a{color:#cfd8dc}
.wrap{display:flex;height:calc(100vh - 4.2em)}.panel{width:38%;overflow:auto;padding:1em;border-right:1px solid #ddd;font-size:.9em}
.text{width:62%;overflow:auto;padding:1em 1.4em;white-space:pre-wrap;line-height:1.7}
mark{background:none;border-bottom:2px solid;padding:0 1px}mark:target{outline:3px solid #ff9800}
mark.program{border-color:#6a1b9a;font-weight:600}mark.funding{background:#fff3c4;border-color:#f9a825}
mark.direction{background:#e3f2fd;border-color:#1e88e5}mark.requirement{background:#e8f5e9;border-color:#43a047}
mark.contact{background:#fce4ec;border-color:#d81b60}mark.deadline{background:#ede7f6;border-color:#5e35b1}
mark.channel{background:#e0f7fa;border-color:#00acc1}mark.check{border-style:dashed;border-color:#e65100}
mark .tag::before{content:attr(data-label)}mark .tag,.badge{font-size:.7em;color:#fff;border-radius:3px;padding:0 .3em;margin-right:.2em;vertical-align:super}
.tag{background:#78909c}.badge.check{background:#e65100}.badge.ok{background:#43a047}
.panel h2{font-size:1.05em;margin:1em 0 .3em}.panel h3{font-size:.95em;margin:.8em 0 .2em;color:#6a1b9a}
.panel ul{margin:.2em 0;padding-left:1.2em}.panel li{margin:.15em 0}.panel a{color:#1565c0;text-decoration:none}
.issue{color:#b71c1c}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.35em .5em}
th{background:#eceff1}main{padding:1em 1.4em}"""


@dataclass
class Item:
    key: str
    label: str  # program | funding | direction | requirement | contact | deadline | channel
    start: int
    end: int
    summary: str
    check: bool  # stands out for review
    marked: bool = True


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


def _wan(v) -> str:
    return "—" if v is None else f"{v / 10000:g}万"


def items_of(g: Guide) -> tuple[list[Item], list[tuple[str, list[Item]]]]:
    """All highlightable items, and the panel's groups (programme by programme, then guide-wide)."""
    everything: list[Item] = []
    groups: list[tuple[str, list[Item]]] = []
    n = 0

    def add(label, span, summary, check, bucket):
        nonlocal n
        n += 1
        it = Item(f"e{n}", label, span.start, span.end, summary, check)
        everything.append(it)
        bucket.append(it)

    def add_lists(owner, bucket):  # requirements, contacts and deadlines of a programme or the guide
        for r in owner.requirements:
            add("requirement", r.span, _req_summary(r), not r.constraints, bucket)
        for c in owner.contacts:
            add("contact", c.span, _contact_summary(c), not (c.names and c.phones), bucket)
        for d in owner.deadlines:
            add("deadline", d.span, f"{d.kind} {d.at}", False, bucket)

    for p in g.programs:
        bucket: list[Item] = []
        head_end = g.text.find("\n", p.span.start, p.span.end)
        head = p.span.model_copy(update={"end": head_end if head_end > 0 else p.span.end})
        add("program", head, f"{p.name} [{p.category}]" + (f" ⊂ {p.parent}" if p.parent else ""), not p.funding, bucket)
        for f in p.funding:
            amount = f"{_wan(f.min_cny)}–{_wan(f.max_cny)}" if f.min_cny or f.max_cny else "no amount stated"
            cof = f"; own funds {f.cofunding.kind} {f.cofunding.min:g}" if f.cofunding else ""
            add("funding", f.span, f"{amount} {','.join(f.modes)}{cof}", f.min_cny is None and f.max_cny is None, bucket)
        for d in p.directions:
            add("direction", d.span, d.title, False, bucket)
        add_lists(p, bucket)
        groups.append((f"{p.id} {p.name}", bucket))
    bucket = []
    add_lists(g, bucket)
    for c in g.channels:
        add("channel", c.span, f"{c.name or ''} {c.url or ''}".strip(), False, bucket)
    groups.append(("guide-wide", bucket))
    return everything, groups


def _req_summary(r) -> str:
    cons = "; ".join(f"{c.subject}.{c.field} {c.op} {c.value}" for c in r.constraints)
    return f"[{r.category}] " + (cons if cons else f"text only: {r.text[:36]}…")


def _contact_summary(c) -> str:
    who = "、".join(c.names) or "—"
    return f"{c.org or ''}{c.department or ''} {who} {' '.join(c.phones)}".strip()


def render_text(text: str, items: list[Item]) -> str:
    """The text with non-crossing item spans as nested <mark>s; crossing ones are left unmarked."""
    accepted: list[Item] = []
    for it in sorted(items, key=lambda i: (i.start, -i.end, i.key)):
        if it.end <= it.start:
            it.marked = False
            continue
        if any(a.start < it.start < a.end < it.end or it.start < a.start < it.end < a.end for a in accepted):
            it.marked = False
            continue
        accepted.append(it)
    opens: dict[int, list[Item]] = {}
    closes: dict[int, int] = {}
    for it in accepted:
        opens.setdefault(it.start, []).append(it)
        closes[it.end] = closes.get(it.end, 0) + 1
    out, stack = [], []
    for i, ch in enumerate(text + "\0"):
        while stack and stack[-1].end == i:
            out.append("</mark>")
            stack.pop()
        for it in sorted(opens.get(i, []), key=lambda x: -x.end):
            cls = f"{it.label} check" if it.check else it.label
            out.append(f'<mark id="{it.key}" class="{cls}" title="{_e(it.label)}: {_e(it.summary)}">'
                       f'<span class="tag" aria-hidden="true" data-label="{it.label}"></span>')
            stack.append(it)
        if ch != "\0":
            out.append(_e(ch))
    return "".join(out)


def guide_page(g: Guide) -> str:
    items, groups = items_of(g)
    body = render_text(g.text, items)
    panel = [f"<h2>{_e(g.title)}</h2><p>{_e(g.region.name)} {_e(g.region.code)} · {_e(g.year)} · "
             f"{_e(g.source.format)} <code>{_e(g.source.path)}</code></p>"]
    if g.issues:
        panel.append("<ul>" + "".join(f"<li class='issue'>{_e(i.code)}: {_e(i.message)}</li>" for i in g.issues) + "</ul>")
    checks = sum(it.check for it in items)
    panel.append(f"<p><span class='badge check'>{checks}</span> to check (dashed): requirements left as text, "
                 "funding without an amount, programmes without funding, incomplete contacts</p>")
    for title, bucket in groups:
        panel.append(f"<h3>{_e(title)}</h3><ul>")
        for it in bucket:
            badge = "<span class='badge check'>check</span>" if it.check else ""
            where = f'<a href="#{it.key}">{_e(it.label)}</a>' if it.marked else f"{_e(it.label)} (span crosses another; not marked)"
            panel.append(f"<li>{badge}{where}: {_e(it.summary)}</li>")
        panel.append("</ul>")
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{_e(g.title)}</title>"
            f"<style>{_CSS}</style></head><body><header><a href='../index.html'>← 全部指南</a> · "
            f"<b>{_e(g.title)}</b></header><div class='wrap'><nav class='panel'>{''.join(panel)}</nav>"
            f"<article class='text'>{body}</article></div></body></html>\n")


def index_page(guides: list[Guide]) -> str:
    rows = []
    for g in guides:
        amounts = [f.max_cny for p in g.programs for f in p.funding if f.max_cny] + \
                  [f.min_cny for p in g.programs for f in p.funding if f.min_cny]
        rng = f"{_wan(min(amounts))} – {_wan(max(amounts))}" if amounts else "—"
        n_req = len(g.requirements) + sum(len(p.requirements) for p in g.programs)
        rows.append(f"<tr><td>{_e(g.region.name)}</td><td>{_e(g.year)}</td><td><a href='guides/{g.id}.html'>"
                    f"{_e(g.title)}</a></td><td>{len(g.programs)}</td><td>{rng}</td><td>{n_req}</td>"
                    f"<td>{_e(g.source.format)}</td><td class='issue'>{_e(', '.join(sorted({i.code for i in g.issues})))}</td></tr>")
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>zhinan review</title>"
            f"<style>{_CSS}</style></head><body><header><b>zhinan</b> · {len(guides)} guides</header><main><table>"
            "<tr><th>地区</th><th>年度</th><th>指南</th><th>项目数</th><th>资助额度</th><th>申报要求</th><th>格式</th>"
            f"<th>问题</th></tr>{''.join(rows)}</table></main></body></html>\n")


def write_site(guides: list[Guide], folder: Path) -> list[Path]:
    guides = sorted(guides, key=lambda g: (g.region.code or "", g.year or 0, g.id))
    written = [folder / "index.html"]
    write_atomic(folder / "index.html", index_page(guides))
    for g in guides:
        path = folder / "guides" / f"{g.id}.html"
        write_atomic(path, guide_page(g))
        written.append(path)
    return written
