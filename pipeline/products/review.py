"""The review site (`zhinan report`): an index of every file of the last run and one page per guide
with its text, every extracted span highlighted and labelled, next to the record. Clicking a value
jumps to its evidence (plain anchors; the page has no scripts). Items to check stand out:
requirements left as text (no constraint parsed, or an either/or or relaxation the rules keep as
text), funding without an amount, programmes without funding, incomplete contacts.

PDF guides are shown page by page: a break at each page's first character (`Guide.page_starts`)
with that page's running header, footer and page number (`Guide.furniture`) dimmed beside it —
they are not part of the text the spans point into.

Highlights are faithful to the spans: each <mark> holds exactly text[start:end] of the record.
Where two spans cross (neither holds the other) the later one is listed in the panel but not
marked in the text, and the panel says so. Anchors are stable: a programme's is its id (`#p3`), a
requirement's its stable id (`#r-3fa2c1d0`), so other pages (compare, diff) link into them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.products.html import LABELS, amount, document, esc, label
from pipeline.products.records import order
from pipeline.products.rules import has_other_branch
from pipeline.run.store import remove_stale, write_atomic
from schemas import Guide

_CSS = """.wrap{display:flex;height:calc(100vh - 4.2em)}.panel{width:38%;overflow:auto;padding:1em;border-right:1px solid #ddd;font-size:.9em}
.text{width:62%;overflow:auto;padding:1em 1.4em;white-space:pre-wrap;line-height:1.7}
mark{background:none;border-bottom:2px solid;padding:0 1px}mark:target{outline:3px solid #ff9800}
mark.program{border-color:#6a1b9a;font-weight:600}mark.funding{background:#fff3c4;border-color:#f9a825}
mark.direction{background:#e3f2fd;border-color:#1e88e5}mark.requirement{background:#e8f5e9;border-color:#43a047}
mark.contact{background:#fce4ec;border-color:#d81b60}mark.deadline{background:#ede7f6;border-color:#5e35b1}
mark.channel{background:#e0f7fa;border-color:#00acc1}mark.check{border-style:dashed;border-color:#e65100}
mark .tag::before{content:attr(data-label)}mark .tag{font-size:.7em;color:#fff;background:#78909c;border-radius:3px;padding:0 .3em;margin-right:.2em;vertical-align:super}
.panel h2{font-size:1.05em;margin:1em 0 .3em}.panel h3{font-size:.95em;margin:.8em 0 .2em;color:#6a1b9a}
.panel ul{margin:.2em 0;padding-left:1.2em}.panel li{margin:.15em 0}
.pg{display:block;margin:1.2em -1.4em;padding:.3em 1.4em;border-top:2px dashed #b0bec5;background:#fafafa;color:#9e9e9e;
font-size:.8em;white-space:normal;line-height:1.4}.pg b{color:#607d8b}.furn{display:block;opacity:.7}
.partial td{background:#fff8e1}.failed td,.skipped td{background:#fbe9e7}"""


@dataclass
class Item:
    key: str
    label: str  # program | funding | direction | requirement | contact | deadline | channel
    start: int
    end: int
    summary: str
    check: bool  # stands out for review
    page: int | None = None
    marked: bool = True


def items_of(g: Guide) -> tuple[list[Item], list[tuple[str, str, list[Item]]]]:
    """All highlightable items, and the panel's groups (anchor, title, items): programme by
    programme, then the guide-wide ones."""
    everything: list[Item] = []
    groups: list[tuple[str, str, list[Item]]] = []
    n = 0

    def add(kind, span, summary, check, bucket, key=None):
        nonlocal n
        n += 1
        it = Item(key or f"e{n}", kind, span.start, span.end, summary, check, span.page)
        everything.append(it)
        bucket.append(it)

    def add_lists(owner, bucket):  # requirements, contacts and deadlines of a programme or the guide
        for r in owner.requirements:
            either = has_other_branch(r.text)
            add("requirement", r.span, _req_summary(r, either), either or not r.constraints, bucket, key=r.id or None)
        for c in owner.contacts:
            add("contact", c.span, _contact_summary(c), not (c.names and c.phones), bucket)
        for d in owner.deadlines:
            add("deadline", d.span, f"{d.kind} {d.at}", False, bucket)

    for p in g.programs:
        bucket: list[Item] = []
        head_end = g.text.find("\n", p.span.start, p.span.end)
        head = p.span.model_copy(update={"end": head_end if head_end > 0 else p.span.end})
        add("program", head, f"{p.name} [{p.category}]" + (f" ⊂ {p.parent}" if p.parent else ""), not p.funding,
            bucket, key=p.id)
        for f in p.funding:
            cof = f"；自筹 {f.cofunding.kind} {f.cofunding.min:g}" if f.cofunding else ""
            add("funding", f.span, f"{amount(f.min_cny, f.max_cny)} {','.join(f.modes)}{cof}",
                f.min_cny is None and f.max_cny is None, bucket)
        for d in p.directions:
            add("direction", d.span, d.title, False, bucket)
        add_lists(p, bucket)
        groups.append((p.id, f"{p.id} {p.name}", bucket))
    bucket = []
    add_lists(g, bucket)
    for c in g.channels:
        add("channel", c.span, f"{c.name or ''} {c.url or ''}".strip(), False, bucket)
    groups.append(("", "全文通用 guide-wide", bucket))
    return everything, groups


def _req_summary(r, either: bool) -> str:
    cons = "; ".join(f"{c.subject}.{c.field} {c.op} {c.value}" for c in r.constraints)
    if either:
        return f"[{r.category}] 或/放宽条款，留作文本 (either/or or relaxation kept as text): {r.text[:36]}…"
    return f"[{r.category}] " + (cons if cons else f"仅文本 (text only): {r.text[:36]}…")


def _contact_summary(c) -> str:
    who = "、".join(c.names) or "—"
    return f"{c.org or ''}{c.department or ''} {who} {' '.join(c.phones)}".strip()


def _page_breaks(g: Guide) -> dict[int, str]:
    """Text offset → the page-break element drawn there: the previous page's footer and page
    number, then the new page's number and header, all dimmed (PDF guides only)."""
    furniture: dict[int, dict[str, list[str]]] = {}
    for f in g.furniture:
        if f.page is not None:
            furniture.setdefault(f.page, {}).setdefault(f.kind, []).append(f.text)
    breaks = {}
    prev = None
    for ps in g.page_starts:
        before = furniture.get(prev, {}) if prev else {}
        after = furniture.get(ps.page, {})
        parts = [f"<span class='furn'>{esc(t)}</span>" for k in ("footer", "page_number") for t in before.get(k, [])]
        parts.append(f"<b>第 {ps.page} 页</b> <span class='muted'>page {ps.page}</span>")
        parts += [f"<span class='furn'>{esc(t)}</span>" for t in after.get("header", [])]
        breaks[ps.start] = f"<span class='pg' id='page-{ps.page}' aria-hidden='true'>{''.join(parts)}</span>"
        prev = ps.page
    return breaks


def render_text(text: str, items: list[Item], breaks: dict[int, str] | None = None) -> str:
    """The text with non-crossing item spans as nested <mark>s (crossing ones left unmarked), and
    the page-break elements at their offsets."""
    breaks = breaks or {}
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
    for it in accepted:
        opens.setdefault(it.start, []).append(it)
    out, stack = [], []
    for i, ch in enumerate(text + "\0"):
        while stack and stack[-1].end == i:
            out.append("</mark>")
            stack.pop()
        if i in breaks:
            out.append(breaks[i])
        for it in sorted(opens.get(i, []), key=lambda x: -x.end):
            cls = f"{it.label} check" if it.check else it.label
            out.append(f'<mark id="{esc(it.key)}" class="{cls}" title="{esc(it.label)}: {esc(it.summary)}">'
                       f'<span class="tag" aria-hidden="true" data-label="{esc(LABELS.get(it.label, it.label))}"></span>')
            stack.append(it)
        if ch != "\0":
            out.append(esc(ch))
    return "".join(out)


def guide_page(g: Guide, status: str = "ok", found=None) -> str:
    """One guide's page; `found` is its items_of(g) when the caller has it already."""
    items, groups = found or items_of(g)
    body = render_text(g.text, items, _page_breaks(g))
    where = f"{esc(g.source.format)} <code>{esc(g.source.path)}</code>"
    if g.source.pages:
        where += f" · {g.source.pages} 页 pages: " + " ".join(
            f"<a href='#page-{ps.page}'>{ps.page}</a>" for ps in g.page_starts)
    panel = [f"<h2>{esc(g.title)}</h2><p>{esc(g.region.name)} {esc(g.region.code)} · {esc(g.year)} · {where}</p>"]
    if status == "partial":
        panel.append("<p class='issue'><span class='badge partial'>partial</span> 部分转换 (partial conversion): "
                     "part of the file could not be read; see the issues below</p>")
    if g.issues:
        panel.append("<ul>" + "".join(f"<li class='issue'>{esc(i.code)}: {esc(i.message)}</li>" for i in g.issues) + "</ul>")
    checks = sum(it.check for it in items)
    panel.append(f"<p><span class='badge check'>{checks}</span> 待核 to check (dashed): requirements left as text, "
                 "funding without an amount, programmes without funding, incomplete contacts</p>")
    for anchor, title, bucket in groups:
        heading = f"<a href='#{esc(anchor)}'>{esc(title)}</a>" if anchor else esc(title)
        panel.append(f"<h3>{heading}</h3><ul>")
        for it in bucket:
            badge = "<span class='badge check'>待核</span> " if it.check else ""
            page = f" <span class='muted'>p.{it.page}</span>" if it.page else ""
            name = label(it.label)
            where = f'<a href="#{esc(it.key)}">{name}</a>' if it.marked else f"{name} (span crosses another; not marked)"
            panel.append(f"<li>{badge}{where}{page}: {esc(it.summary)}</li>")
        panel.append("</ul>")
    return document(g.title, f"<header><a href='../index.html'>← 全部指南 all guides</a> · <b>{esc(g.title)}</b>"
                    f"</header><div class='wrap'><nav class='panel'>{''.join(panel)}</nav>"
                    f"<article class='text'>{body}</article></div>", _CSS)


def _index_row(row: dict, g: Guide | None, checks: int) -> str:
    status = row.get("status", "ok")
    why = " ".join(x for x in (row.get("reason"), row.get("message")) if x)
    state = f"<span class='badge {esc(status)}'>{esc(status)}</span> <span class='muted'>{esc(why)}</span>"
    path = row.get("path") or (g.source.path if g else "")
    fmt = g.source.format if g else path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if g is None:
        return (f"<tr class='{esc(status)}'><td><code>{esc(path)}</code></td><td>{esc(fmt)}</td><td>{state}</td>"
                "<td></td><td></td><td class='muted'>—</td><td></td><td></td><td></td><td></td></tr>")
    amounts = [v for p in g.programs for f in p.funding for v in (f.min_cny, f.max_cny) if v]
    rng = amount(min(amounts), max(amounts)) if amounts else "—"
    n_req = len(g.requirements) + sum(len(p.requirements) for p in g.programs)
    issues = ", ".join(sorted({i.code for i in g.issues}))
    return (f"<tr class='{esc(status)}'><td><code>{esc(path)}</code></td><td>{esc(fmt)}</td><td>{state}</td>"
            f"<td>{esc(g.region.name)}</td><td>{esc(g.year)}</td><td><a href='guides/{g.id}.html'>{esc(g.title)}</a></td>"
            f"<td>{len(g.programs)}</td><td>{rng}</td><td>{n_req}</td><td>{checks}</td>"
            f"<td class='issue'>{esc(issues)}</td></tr>")


def index_page(guides: list[Guide], ledger: list[dict], checks: dict[str, int] | None = None) -> str:
    """Every ledger row (ok, partial, failed, skipped with its reason) with its file and format;
    records not in the ledger (an older run's) are listed after them. `checks`: items to check per
    guide id, counted from items_of when not given."""
    if checks is None:
        checks = {g.id: sum(it.check for it in items_of(g)[0]) for g in guides}
    by_id = {g.id: g for g in guides}
    rows = sorted(ledger, key=lambda r: r.get("path") or "")
    listed = {r.get("guide_id") for r in rows}
    rows += [{"path": g.source.path, "status": "ok", "guide_id": g.id, "message": "not in the ledger"}
             for g in guides if g.id not in listed]
    body = "".join(_index_row(r, by_id.get(r.get("guide_id") or ""), checks.get(r.get("guide_id") or "", 0))
                   for r in rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("status", "ok")] = counts.get(r.get("status", "ok"), 0) + 1
    summary = " · ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    head = "".join(f"<th>{label(c)}</th>" for c in ("file", "format", "status", "region", "year", "guide",
                                                      "programs", "amount", "requirements", "checks", "issues"))
    return document("zhinan 审阅 review", f"<header><b>zhinan</b> · {len(guides)} 份指南 guides · {summary}</header>"
                    f"<main><table><tr>{head}</tr>{body}</table></main>", _CSS)


def write_site(guides: list[Guide], folder: Path, ledger: list[dict] | None = None) -> list[Path]:
    """index.html and guides/<id>.html; pages of guides no longer among the records are removed."""
    guides = sorted(guides, key=order)
    ledger = ledger or []
    status = {r.get("guide_id"): r.get("status", "ok") for r in ledger if r.get("guide_id")}
    found = {g.id: items_of(g) for g in guides}  # once per guide: its page and its index row
    checks = {gid: sum(it.check for it in items) for gid, (items, _) in found.items()}
    written = [folder / "index.html"]
    write_atomic(folder / "index.html", index_page(guides, ledger, checks))
    for g in guides:
        path = folder / "guides" / f"{g.id}.html"
        write_atomic(path, guide_page(g, status.get(g.id, "ok"), found[g.id]))
        written.append(path)
    remove_stale(folder / "guides", "*.html", {p.name for p in written[1:]})
    return written
