"""What changed between two guide records, by meaning rather than by text lines.

Programmes are aligned one-to-one by a score of name, category, funding and directions, best pairs
first (so two programmes of one category are not forced together when a better pairing exists);
names are compared after their generic endings (项目, 计划, 专项 …) are removed, as character
sequences and as character sets, so `科技重大专项` meets `重大科技专项` and `创新人才工程` meets
`创新人才工程项目`. Every change cites the evidence on both sides. `diff(b, a)` is the mirror of
`diff(a, b)` and a guide diffed with itself has no changes.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from extractors.scales import compare as compare_values
from pipeline.products.html import amount, wan
from pipeline.products.records import headline_funding
from schemas import Change, Diff, Evidence, Guide, GuideRef, Pair, Program, Span

MIN_SCORE = 0.45
_GENERIC_END = re.compile(r"(?:专项计划|项目|计划|专项|工程|基金|类)+$")
MIRROR = {
    "program_added": "program_removed", "funding_max_raised": "funding_max_lowered",
    "funding_min_raised": "funding_min_lowered", "funding_max_added": "funding_max_removed",
    "funding_min_added": "funding_min_removed", "funding_added": "funding_removed", "mode_added": "mode_dropped",
    "cofunding_tightened": "cofunding_loosened", "cofunding_added": "cofunding_removed",
    "direction_added": "direction_removed", "requirement_added": "requirement_removed",
    "constraint_tightened": "constraint_loosened", "constraint_added": "constraint_removed",
    "contact_added": "contact_removed", "deadline_added": "deadline_removed",
}
MIRROR.update({v: k for k, v in list(MIRROR.items())})


def _squash(s: str) -> str:
    return re.sub(r"[\s，。、；：:;,.“”\"（）()《》]", "", unicodedata.normalize("NFKC", s))


def name_key(name: str) -> str:
    return _GENERIC_END.sub("", _squash(name)) or _squash(name)


def name_similarity(a: str, b: str) -> float:
    ka, kb = name_key(a), name_key(b)
    if ka == kb:
        return 1.0
    seq = SequenceMatcher(None, ka, kb, autojunk=False).ratio()
    sa, sb = set(ka), set(kb)
    bag = len(sa & sb) / len(sa | sb) if sa | sb else 0.0
    return max(seq, bag)


def _range(p: Program) -> tuple[int | None, int | None] | None:
    f = headline_funding(p)
    if f is None or (f.min_cny is None and f.max_cny is None):
        return None
    return f.min_cny, f.max_cny


def funding_similarity(a: Program, b: Program) -> float:
    ra, rb = _range(a), _range(b)
    if ra is None and rb is None:
        return 0.5
    if ra is None or rb is None:
        return 0.0
    lo_a, hi_a = ra[0] or ra[1], ra[1] or ra[0]
    lo_b, hi_b = rb[0] or rb[1], rb[1] or rb[0]
    inter = max(0, min(hi_a, hi_b) - max(lo_a, lo_b))
    union = max(hi_a, hi_b) - min(lo_a, lo_b)
    if union == 0:
        return 1.0
    return max(inter / union, 0.25 if inter or hi_a == hi_b or lo_a == lo_b else 0.0)


def direction_similarity(a: Program, b: Program) -> float:
    ta = {_squash(d.title) for d in a.directions}
    tb = {_squash(d.title) for d in b.directions}
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def score(a: Program, b: Program) -> float:
    return round(0.35 * name_similarity(a.name, b.name) + 0.3 * (a.category == b.category)
                 + 0.2 * funding_similarity(a, b) + 0.15 * direction_similarity(a, b), 4)


def align(old: Guide, new: Guide) -> list[tuple[Program | None, Program | None, float]]:
    """One-to-one pairs, best first; tie-breaks use the pair's names in sorted order, so the
    alignment of (new, old) mirrors that of (old, new)."""
    cands = []
    for a in old.programs:
        for b in new.programs:
            s = score(a, b)
            if s >= MIN_SCORE:
                cands.append((-s, tuple(sorted((a.name, b.name))), a.id, b.id, s))
    cands.sort()
    used_a, used_b, pairs = set(), set(), []
    by_a = {p.id: p for p in old.programs}
    by_b = {p.id: p for p in new.programs}
    for _, _, ia, ib, s in cands:
        if ia in used_a or ib in used_b:
            continue
        used_a.add(ia)
        used_b.add(ib)
        pairs.append((by_a[ia], by_b[ib], s))
    pairs += [(p, None, 0.0) for p in old.programs if p.id not in used_a]
    pairs += [(None, p, 0.0) for p in new.programs if p.id not in used_b]
    order = {p.id: k for k, p in enumerate(new.programs)}
    order_old = {p.id: k for k, p in enumerate(old.programs)}
    return sorted(pairs, key=lambda t: (order.get(t[1].id, 10**6) if t[1] else 10**6,
                                        order_old.get(t[0].id, 10**6) if t[0] else 10**6))


def _ev(g: Guide, span: Span | None) -> Evidence | None:
    if span is None:
        return None
    return Evidence(text=g.text[span.start:span.end], span=span)


def _heading_ev(g: Guide, p: Program) -> Evidence:
    first = g.text[p.span.start:p.span.end].split("\n", 1)[0]
    return Evidence(text=first, span=Span(start=p.span.start, end=p.span.start + len(first), page=p.span.page))


def _yuan(v: int | None) -> str:
    return "none stated" if v is None else f"{wan(v)}万元"


class _Diff:
    def __init__(self, old: Guide, new: Guide):
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def add(self, kind, program, summary, old=None, new=None, field=None, ev_old=None, ev_new=None):
        self.changes.append(Change(kind=kind, program=program, field=field, old=old, new=new, summary=summary,
                                   old_evidence=ev_old, new_evidence=ev_new))

    # ---- programmes
    def program(self, a: Program | None, b: Program | None) -> None:
        o, n = self.old, self.new
        if a is None:
            self.add("program_added", b.name, f"{b.name} [{b.category}] added", new=b.name, ev_new=_heading_ev(n, b))
            return
        if b is None:
            self.add("program_removed", a.name, f"{a.name} [{a.category}] removed", old=a.name, ev_old=_heading_ev(o, a))
            return
        label = b.name
        if a.name != b.name:
            self.add("program_renamed", label, f"{a.name} renamed {b.name}", old=a.name, new=b.name,
                     ev_old=_heading_ev(o, a), ev_new=_heading_ev(n, b))
        self.funding(a, b, label)
        if (a.duration and (a.duration.min_years, a.duration.max_years)) != (b.duration and (b.duration.min_years, b.duration.max_years)):
            fa = a.duration.model_dump() if a.duration else None
            fb = b.duration.model_dump() if b.duration else None
            self.add("duration_changed", label, f"{label}: implementation period {_dur(fa)} → {_dur(fb)}",
                     old=fa, new=fb, field="duration", ev_old=_heading_ev(o, a), ev_new=_heading_ev(n, b))
        self.directions(a, b, label)
        self.requirements(a.requirements, b.requirements, label)
        self.contacts(a.contacts, b.contacts, label)
        self.deadlines(a.deadlines, b.deadlines, label)

    def funding(self, a: Program, b: Program, label: str) -> None:
        o, n = self.old, self.new
        fa, fb = headline_funding(a), headline_funding(b)
        if fa is None and fb is None:
            return
        if fa is None or fb is None:
            kind = "funding_added" if fa is None else "funding_removed"
            f = fb or fa
            stated = "(no amount stated)" if f.min_cny is None and f.max_cny is None else amount(f.min_cny, f.max_cny)
            self.add(kind, label, f"{label}: funding {stated} {kind.split('_')[1]}",
                     old=None if fa is None else [fa.min_cny, fa.max_cny], new=None if fb is None else [fb.min_cny, fb.max_cny],
                     field="funding", ev_old=_ev(o, fa.span) if fa else None, ev_new=_ev(n, fb.span) if fb else None)
            return
        for bound in ("max", "min"):
            va, vb = getattr(fa, f"{bound}_cny"), getattr(fb, f"{bound}_cny")
            if va != vb and va is not None and vb is not None:
                kind = f"funding_{bound}_{'raised' if vb > va else 'lowered'}"
                self.add(kind, label, f"{label}: funding {'ceiling' if bound == 'max' else 'floor'} {_yuan(va)} → {_yuan(vb)}",
                         old=va, new=vb, field=f"{bound}_cny", ev_old=_ev(o, fa.span), ev_new=_ev(n, fb.span))
            elif va != vb:  # one side states no such bound: the bound was added or removed, not moved
                kind = f"funding_{bound}_{'added' if va is None else 'removed'}"
                self.add(kind, label, f"{label}: funding {'ceiling' if bound == 'max' else 'floor'} {_yuan(va)} → {_yuan(vb)}",
                         old=va, new=vb, field=f"{bound}_cny", ev_old=_ev(o, fa.span), ev_new=_ev(n, fb.span))
        ma = {m for f in a.funding for m in f.modes}
        mb = {m for f in b.funding for m in f.modes}
        for m in sorted(mb - ma):
            self.add("mode_added", label, f"{label}: funding mode {m} added", new=m, field=m,
                     ev_old=_ev(o, fa.span), ev_new=_ev(n, fb.span))
        for m in sorted(ma - mb):
            self.add("mode_dropped", label, f"{label}: funding mode {m} dropped", old=m, field=m,
                     ev_old=_ev(o, fa.span), ev_new=_ev(n, fb.span))
        ca = next((f.cofunding for f in a.funding if f.cofunding), None)
        cb = next((f.cofunding for f in b.funding if f.cofunding), None)
        ev_a = self._cofunding_ev(o, a) or _ev(o, fa.span)
        ev_b = self._cofunding_ev(n, b) or _ev(n, fb.span)
        if ca and cb and ca.kind == cb.kind and ca.min != cb.min:
            kind = "cofunding_tightened" if cb.min > ca.min else "cofunding_loosened"
            self.add(kind, label, f"{label}: own funds ({ca.kind}) {ca.min:g} → {cb.min:g}", old=ca.min, new=cb.min,
                     field=ca.kind, ev_old=ev_a, ev_new=ev_b)
        elif (ca is None) != (cb is None) or (ca and cb and ca.kind != cb.kind):
            if ca:
                self.add("cofunding_removed", label, f"{label}: own-funds rule {ca.kind} {ca.min:g} removed",
                         old=ca.min, field=ca.kind, ev_old=ev_a, ev_new=ev_b)
            if cb:
                self.add("cofunding_added", label, f"{label}: own-funds rule {cb.kind} {cb.min:g} added",
                         new=cb.min, field=cb.kind, ev_old=ev_a, ev_new=ev_b)

    @staticmethod
    def _cofunding_ev(g: Guide, p: Program) -> Evidence | None:
        for r in p.requirements:
            if any(c.field == "self_funding_share" for c in r.constraints) or "自筹" in r.text:
                return _ev(g, r.span)
        return None

    def directions(self, a: Program, b: Program, label: str) -> None:
        pairs = _match([_squash(d.title) for d in a.directions], [_squash(d.title) for d in b.directions], 0.7)
        ma = {i for i, _ in pairs}
        mb = {j for _, j in pairs}
        for i, d in enumerate(a.directions):
            if i not in ma:
                self.add("direction_removed", label, f"{label}: direction {d.title} removed", old=d.title,
                         ev_old=_ev(self.old, d.span))
        for j, d in enumerate(b.directions):
            if j not in mb:
                self.add("direction_added", label, f"{label}: direction {d.title} added", new=d.title,
                         ev_new=_ev(self.new, d.span))

    # ---- requirements and their constraints
    def requirements(self, ra, rb, label: str | None) -> None:
        o, n = self.old, self.new
        where = label or "guide"
        pairs = _match([_squash(r.text) for r in ra], [_squash(r.text) for r in rb], 0.75)
        ma = {i for i, _ in pairs}
        mb = {j for _, j in pairs}
        loose = _match([_squash(ra[i].text) for i in range(len(ra)) if i not in ma],
                       [_squash(rb[j].text) for j in range(len(rb)) if j not in mb], 0.45)
        rest_a = [i for i in range(len(ra)) if i not in ma]
        rest_b = [j for j in range(len(rb)) if j not in mb]
        for x, y in loose:
            i, j = rest_a[x], rest_b[y]
            ma.add(i)
            mb.add(j)
            self.add("requirement_changed", label, f"{where}: requirement reworded", old=ra[i].text, new=rb[j].text,
                     ev_old=_ev(o, ra[i].span), ev_new=_ev(n, rb[j].span))
        for i, r in enumerate(ra):
            if i not in ma:
                self.add("requirement_removed", label, f"{where}: requirement removed: {r.text[:40]}", old=r.text,
                         ev_old=_ev(o, r.span))
        for j, r in enumerate(rb):
            if j not in mb:
                self.add("requirement_added", label, f"{where}: requirement added: {r.text[:40]}", new=r.text,
                         ev_new=_ev(n, r.span))
        self.constraints(ra, rb, label)

    def constraints(self, ra, rb, label: str | None) -> None:
        o, n = self.old, self.new
        where = label or "guide"

        def pool(reqs):
            out: dict[tuple, list] = {}
            for r in reqs:
                for c in r.constraints:
                    out.setdefault((c.subject, c.field, c.op), []).append((c.value, r))
            return out

        pa, pb = pool(ra), pool(rb)
        for key in sorted(set(pa) | set(pb), key=str):
            subject, field, op = key
            va = sorted(pa.get(key, []), key=lambda t: str(t[0]))
            vb = sorted(pb.get(key, []), key=lambda t: str(t[0]))
            same = [v for v, _ in va if any(v == w for w, _ in vb)]
            va = [t for t in va if t[0] not in same]
            vb = [t for t in vb if t[0] not in same]
            for (x, rx), (y, ry) in zip(va, vb):
                cmp = compare_values(field, y, x)
                if cmp is None or op in ("==", "!=", "in"):
                    self.add("constraint_removed", label, f"{where}: {subject}.{field} {op} {x} removed", old=x,
                             field=field, ev_old=_ev(o, rx.span))
                    self.add("constraint_added", label, f"{where}: {subject}.{field} {op} {y} added", new=y,
                             field=field, ev_new=_ev(n, ry.span))
                    continue
                stricter = cmp > 0 if op in (">=", ">") else cmp < 0
                kind = "constraint_tightened" if stricter else "constraint_loosened"
                self.add(kind, label, f"{where}: {subject}.{field} {op} {x} → {y}", old=x, new=y, field=field,
                         ev_old=_ev(o, rx.span), ev_new=_ev(n, ry.span))
            for x, rx in va[len(vb):]:
                self.add("constraint_removed", label, f"{where}: {subject}.{field} {op} {x} removed", old=x, field=field,
                         ev_old=_ev(o, rx.span))
            for y, ry in vb[len(va):]:
                self.add("constraint_added", label, f"{where}: {subject}.{field} {op} {y} added", new=y, field=field,
                         ev_new=_ev(n, ry.span))

    # ---- contacts and deadlines
    def contacts(self, ca, cb, label: str | None) -> None:
        where = label or "guide"
        ka = {tuple(sorted(c.names)) or tuple(sorted(c.phones)): c for c in ca}
        kb = {tuple(sorted(c.names)) or tuple(sorted(c.phones)): c for c in cb}
        for k in sorted(set(ka) & set(kb)):
            if sorted(ka[k].phones) != sorted(kb[k].phones):
                self.add("contact_changed", label, f"{where}: {'、'.join(k)} phone {ka[k].phones} → {kb[k].phones}",
                         old=ka[k].phones, new=kb[k].phones, field="phones",
                         ev_old=_ev(self.old, ka[k].span), ev_new=_ev(self.new, kb[k].span))
        for k in sorted(set(ka) - set(kb)):
            self.add("contact_removed", label, f"{where}: contact {'、'.join(k)} removed", old=list(k),
                     ev_old=_ev(self.old, ka[k].span))
        for k in sorted(set(kb) - set(ka)):
            self.add("contact_added", label, f"{where}: contact {'、'.join(k)} added", new=list(k),
                     ev_new=_ev(self.new, kb[k].span))

    def deadlines(self, da, db, label: str | None) -> None:
        where = label or "guide"
        for kind in sorted({d.kind for d in da} | {d.kind for d in db}):
            xa = sorted((d for d in da if d.kind == kind), key=lambda d: d.at)
            xb = sorted((d for d in db if d.kind == kind), key=lambda d: d.at)
            same = {d.at for d in xa} & {d.at for d in xb}
            xa = [d for d in xa if d.at not in same]
            xb = [d for d in xb if d.at not in same]
            for a, b in zip(xa, xb):
                self.add("deadline_changed", label, f"{where}: {kind} {a.at} → {b.at}", old=a.at, new=b.at, field=kind,
                         ev_old=_ev(self.old, a.span), ev_new=_ev(self.new, b.span))
            for a in xa[len(xb):]:
                self.add("deadline_removed", label, f"{where}: {kind} {a.at} removed", old=a.at, field=kind,
                         ev_old=_ev(self.old, a.span))
            for b in xb[len(xa):]:
                self.add("deadline_added", label, f"{where}: {kind} {b.at} added", new=b.at, field=kind,
                         ev_new=_ev(self.new, b.span))


def _dur(d: dict | None) -> str:
    if not d:
        return "—"
    lo, hi = d.get("min_years"), d.get("max_years")
    return f"{lo:g}-{hi:g}年" if lo is not None and hi is not None else (f"≤{hi:g}年" if hi is not None else f"≥{lo:g}年")


def _match(a: list[str], b: list[str], threshold: float) -> list[tuple[int, int]]:
    """One-to-one matches by similarity, best first, symmetric tie-breaks."""
    cands = []
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            if x == y:
                s = 1.0
            elif x and y and min(len(x), len(y)) >= 2 and (x in y or y in x):
                s = 0.9
            else:
                s = SequenceMatcher(None, x, y, autojunk=False).ratio()
            if s >= threshold:
                cands.append((-s, tuple(sorted((x, y))), i, j))
    cands.sort()
    used_a, used_b, out = set(), set(), []
    for _, _, i, j in cands:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j))
    return out


def ref(g: Guide) -> GuideRef:
    return GuideRef(id=g.id, title=g.title, region=g.region.name, year=g.year, path=g.source.path)


def diff(old: Guide, new: Guide) -> Diff:
    d = _Diff(old, new)
    pairs = []
    for a, b, s in align(old, new):
        pairs.append(Pair(old=a.id if a else None, new=b.id if b else None, old_name=a.name if a else None,
                          new_name=b.name if b else None, category=(b or a).category, score=s))
        d.program(a, b)
    d.requirements(old.requirements, new.requirements, None)
    d.contacts(old.contacts, new.contacts, None)
    d.deadlines(old.deadlines, new.deadlines, None)
    return Diff(old=ref(old), new=ref(new), pairs=pairs, changes=d.changes)
