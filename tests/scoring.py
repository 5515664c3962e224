#!/usr/bin/env python3
"""Score guide records against gold files: a copy of the team's shared scorer (shared/eval/evaluate.py),
kept here so the tests never depend on ../shared. Only `score_doc` and the Tally are used by
tests/test_scores.py; keep it byte-compatible with the shared copy when that one changes.

Score guide records (outputs/guides/*.json, see ../spec/CONTRACT.md) against gold files.

    python3 evaluate.py PRED_DIR GOLD_DIR [--explain] [--format pdf] [--json REPORT.json]
                        [--min FIELD=F1 ...]
    python3 evaluate.py --check-gold CORPUS_DIR GOLD_DIR   (gold strings must occur in CORPUS_DIR/<stem>.*)

Standard library only. Prints a table of precision / recall / F1 per field and, last, one line
with the overall score. With --min, exits 1 when a field falls below its bar.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

PUNCT = re.compile(r"[\s，。、；：:;,.!?！？“”‘’\"'（）()《》〈〉【】\[\]「」『』<>—\-–…·•●○◆■□★☆/\\|～~]+")
ENUM_PREFIX = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十百]+[)）、.．]|[（(]\d+[)）]|\d+[、.．)）]|[①-⑳]|第[一二三四五六七八九十]+[章节条部分])\s*"
)

FIELDS = [
    "programs", "category", "parent", "funding", "funding_modes", "cofunding", "duration",
    "directions", "requirements", "constraints", "contact_names", "contact_phones",
    "contact_pairs", "departments", "deadlines", "region", "year",
]
CORE = [
    "programs", "category", "funding", "funding_modes", "directions", "requirements",
    "constraints", "contact_names", "contact_phones", "contact_pairs", "deadlines",
    "region", "year",
]


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s or "")


def squash(s: str) -> str:
    """Compare form: NFKC, no whitespace, no punctuation, lower case."""
    return PUNCT.sub("", nfkc(s)).lower()


def program_key(name: str) -> str:
    name = nfkc(name).strip()
    name = ENUM_PREFIX.sub("", name)
    return squash(name)


def name_key(name: str) -> str:
    return re.sub(r"\s+", "", nfkc(name)).replace("•", "·").replace("・", "·")


def phone_key(phone: str) -> str:
    digits = re.sub(r"\D", "", nfkc(phone))
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    if digits.startswith("0") and len(digits) >= 10:
        area = digits[:4] if digits[:3] not in ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029") else digits[:3]
        return f"{area}-{digits[len(area):]}"
    return digits


def at_key(at) -> str:
    s = nfkc(str(at or "")).strip().replace(" ", "T")
    s = re.sub(r"T(\d\d:\d\d):00$", r"T\1", s)
    return s


def ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similar(a: str, b: str, threshold: float, containment: bool) -> float:
    if a == b:
        return 1.0
    if containment and a and b and min(len(a), len(b)) >= 2 and (a in b or b in a):
        return 0.9
    r = ratio(a, b)
    return r if r >= threshold else 0.0


def greedy_match(gold: list[str], pred: list[str], threshold: float, containment: bool):
    """One-to-one matching, best pairs first. Returns list of (gi, pi)."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            score = similar(g, p, threshold, containment)
            if score > 0:
                pairs.append((score, gi, pi))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g, used_p, out = set(), set(), []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return out


class Tally:
    def __init__(self):
        self.tp = self.fp = self.fn = 0
        self.notes: list[str] = []

    def add(self, tp: int, fp: int, fn: int):
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def sets(self, gold: set, pred: set, label: str, doc: str):
        tp = len(gold & pred)
        self.add(tp, len(pred - gold), len(gold - pred))
        for x in sorted(map(str, gold - pred)):
            self.notes.append(f"{doc}: missed {label} {x}")
        for x in sorted(map(str, pred - gold)):
            self.notes.append(f"{doc}: false {label} {x}")

    def prf(self):
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if self.fn == 0 else 0.0)
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def value_key(v):
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return f"{float(v):g}"
    if isinstance(v, list):
        return "[" + ",".join(sorted(value_key(x) for x in v)) + "]"
    return squash(str(v)) if not re.match(r"^\d{4}-\d\d", str(v)) else str(v)


# Constraints are scored on the contract's field vocabulary (CONTRACT.md, "Constraint"); a field
# outside it, in gold or prediction, is left out of the score: annotators and the pipeline may
# both name more conditions, but only the shared vocabulary can be compared.
CONTRACT_CONSTRAINT_FIELDS = {
    "birth_date", "age", "title_level", "degree", "registered_in", "registration_years",
    "credit_rating", "is_high_tech_enterprise", "partner_count", "local_enterprise_count",
    "self_funding_share", "total_investment_cny", "annual_revenue_cny", "founded_on",
    "active_project_count",
}


def constraint_key(c: dict) -> tuple:
    return (c.get("subject"), c.get("field"), c.get("op"), value_key(c.get("value")))


def funding_items(program_label: str, funding: list[dict]):
    amounts, modes, cof = set(), set(), set()
    for f in funding or []:
        amounts.add((program_label, f.get("min_cny"), f.get("max_cny")))
        for m in f.get("modes") or []:
            modes.add((program_label, m))
        c = f.get("cofunding")
        if c:
            cof.add((program_label, c.get("kind"), f"{float(c.get('min')):g}" if c.get("min") is not None else None))
    return amounts, modes, cof


def contact_items(contacts: list[dict]):
    names, phones, pairs, depts = set(), set(), set(), []
    for c in contacts or []:
        ns = {name_key(n) for n in c.get("names") or [] if name_key(n)}
        ps = {phone_key(p) for p in c.get("phones") or [] if phone_key(p)}
        names |= ns
        phones |= ps
        pairs |= {(n, p) for n in ns for p in ps}
        if c.get("department"):
            depts.append(squash(c["department"]))
    return names, phones, pairs, depts


def all_contacts(doc: dict) -> list[dict]:
    out = list(doc.get("contacts") or [])
    for p in doc.get("programs") or []:
        out += p.get("contacts") or []
    return out


def all_requirements(doc: dict, gold: bool):
    """[(text, placement)] where placement is None for guide-wide or the program's name."""
    out = []
    for r in doc.get("requirements") or []:
        out.append((r if gold else r.get("text", ""), None))
    for p in doc.get("programs") or []:
        for r in p.get("requirements") or []:
            out.append((r if gold else r.get("text", ""), p.get("name")))
    return out


def all_constraints(doc: dict, gold: bool):
    if gold:
        return {constraint_key(c) for c in doc.get("constraints") or []
                if c.get("field") in CONTRACT_CONSTRAINT_FIELDS}
    out = set()
    reqs = list(doc.get("requirements") or [])
    for p in doc.get("programs") or []:
        reqs += p.get("requirements") or []
    for r in reqs:
        for c in r.get("constraints") or []:
            if c.get("field") in CONTRACT_CONSTRAINT_FIELDS:
                out.add(constraint_key(c))
    return out


def all_deadlines(doc: dict):
    items = list(doc.get("deadlines") or [])
    for p in doc.get("programs") or []:
        items += p.get("deadlines") or []
    return {(d.get("kind"), at_key(d.get("at"))) for d in items}


def score_doc(gold: dict, pred: dict, tallies: dict[str, Tally], label: str):
    gp = gold.get("programs") or []
    pp = pred.get("programs") or []
    gkeys = [program_key(p["name"]) for p in gp]
    pkeys = [program_key(p.get("name", "")) for p in pp]
    matches = greedy_match(gkeys, pkeys, 0.8, containment=True)
    g2p = {gi: pi for gi, pi in matches}
    p2g = {pi: gi for gi, pi in matches}
    t = tallies["programs"]
    t.add(len(matches), len(pp) - len(matches), len(gp) - len(matches))
    for gi, g in enumerate(gp):
        if gi not in g2p:
            t.notes.append(f"{label}: missed program {g['name']}")
    for pi, p in enumerate(pp):
        if pi not in p2g:
            t.notes.append(f"{label}: false program {p.get('name')}")

    # A predicted program is labelled with its gold twin's name, so sets line up.
    def plabel(pi):
        return gp[p2g[pi]]["name"] if pi in p2g else f"?{pp[pi].get('name')}"

    tallies["category"].sets(
        {(g["name"], g.get("category")) for g in gp},
        {(plabel(pi), p.get("category")) for pi, p in enumerate(pp)}, "category", label)

    pid_to_name = {p.get("id"): p.get("name") for p in pp}
    gname_by_pkey = {pkeys[pi]: gp[gi]["name"] for gi, pi in matches}
    pred_links = set()
    for pi, p in enumerate(pp):
        parent = p.get("parent")
        if parent:
            pname = pid_to_name.get(parent, parent)
            pred_links.add((plabel(pi), gname_by_pkey.get(program_key(pname or ""), f"?{pname}")))
    tallies["parent"].sets({(g["name"], g["parent"]) for g in gp if g.get("parent")}, pred_links, "parent", label)

    ga, gm, gc = set(), set(), set()
    for g in gp:
        a, m, c = funding_items(g["name"], g.get("funding"))
        ga |= a; gm |= m; gc |= c
    pa, pm, pc = set(), set(), set()
    for pi, p in enumerate(pp):
        a, m, c = funding_items(plabel(pi), p.get("funding"))
        pa |= a; pm |= m; pc |= c
    tallies["funding"].sets(ga, pa, "funding", label)
    tallies["funding_modes"].sets(gm, pm, "mode", label)
    tallies["cofunding"].sets(gc, pc, "cofunding", label)

    def dur(label_, d):
        return {(label_, d.get("min_years"), d.get("max_years"))} if d else set()
    gd = set().union(*[dur(g["name"], g.get("duration")) for g in gp]) if gp else set()
    pd = set().union(*[dur(plabel(pi), p.get("duration")) for pi, p in enumerate(pp)]) if pp else set()
    tallies["duration"].sets(gd, pd, "duration", label)

    t = tallies["directions"]
    for gi, g in enumerate(gp):
        gdirs = [squash(d) for d in g.get("directions") or []]
        pdirs_raw = [d.get("title", "") for d in (pp[g2p[gi]].get("directions") or [])] if gi in g2p else []
        pdirs = [squash(d) for d in pdirs_raw]
        m = greedy_match(gdirs, pdirs, 0.7, containment=True)
        t.add(len(m), len(pdirs) - len(m), len(gdirs) - len(m))
        mg = {a for a, _ in m}
        mp = {b for _, b in m}
        for i, d in enumerate(g.get("directions") or []):
            if i not in mg:
                t.notes.append(f"{label}: missed direction {g['name']} / {d}")
        for i, d in enumerate(pdirs_raw):
            if i not in mp:
                t.notes.append(f"{label}: false direction {g['name']} / {d}")
    for pi, p in enumerate(pp):
        if pi not in p2g:
            n = len(p.get("directions") or [])
            t.add(0, n, 0)

    greqs = all_requirements(gold, gold=True)
    preqs = all_requirements(pred, gold=False)
    m = greedy_match([squash(x) for x, _ in greqs], [squash(x) for x, _ in preqs], 0.75, containment=False)
    t = tallies["requirements"]
    t.add(len(m), len(preqs) - len(m), len(greqs) - len(m))
    mg = {a for a, _ in m}
    mp = {b for _, b in m}
    for i, (x, where) in enumerate(greqs):
        if i not in mg:
            t.notes.append(f"{label}: missed requirement [{where or 'guide'}] {x[:60]}")
    for i, (x, where) in enumerate(preqs):
        if i not in mp:
            t.notes.append(f"{label}: false requirement [{where or 'guide'}] {x[:60]}")

    tallies["constraints"].sets(all_constraints(gold, True), all_constraints(pred, False), "constraint", label)

    gn, gph, gpairs, gdep = contact_items(all_contacts(gold))
    pn, pph, ppairs, pdep = contact_items(all_contacts(pred))
    tallies["contact_names"].sets(gn, pn, "name", label)
    tallies["contact_phones"].sets(gph, pph, "phone", label)
    tallies["contact_pairs"].sets(gpairs, ppairs, "name-phone", label)
    gdep_u, pdep_u = sorted(set(gdep)), sorted(set(pdep))
    m = greedy_match(gdep_u, pdep_u, 0.8, containment=True)
    t = tallies["departments"]
    t.add(len(m), len(pdep_u) - len(m), len(gdep_u) - len(m))
    mg = {a for a, _ in m}
    mp = {b for _, b in m}
    t.notes += [f"{label}: missed department {d}" for i, d in enumerate(gdep_u) if i not in mg]
    t.notes += [f"{label}: false department {d}" for i, d in enumerate(pdep_u) if i not in mp]

    tallies["deadlines"].sets(all_deadlines(gold), all_deadlines(pred), "deadline", label)

    greg = (gold.get("region") or {}).get("code")
    preg = (pred.get("region") or {}).get("code")
    tallies["region"].sets({greg} if greg else set(), {preg} if preg else set(), "region", label)
    gy, py = gold.get("year"), pred.get("year")
    tallies["year"].sets({gy} if gy else set(), {py} if py else set(), "year", label)


def load_predictions(pred_dir: Path, fmt: str | None):
    preds = []
    for f in sorted(pred_dir.rglob("*.json")):
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or "programs" not in doc or "source" not in doc:
            continue
        src = doc.get("source") or {}
        if fmt and src.get("format") != fmt:
            continue
        preds.append(doc)
    return preds


def evaluate(pred_dir: Path, gold_dir: Path, fmt: str | None):
    golds = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(gold_dir.glob("*.json"))]
    preds = load_predictions(pred_dir, fmt)
    tallies = {k: Tally() for k in FIELDS}
    missing = []
    for gold in golds:
        mine = [p for p in preds
                if (p.get("source") or {}).get("sha256") == gold.get("sha256")
                or Path(str((p.get("source") or {}).get("path", ""))).stem == gold["stem"]]
        if not mine:
            missing.append(gold["stem"])
            mine = [{"programs": [], "source": {}}]
        for p in mine:
            fmt_ = (p.get("source") or {}).get("format") or "none"
            score_doc(gold, p, tallies, f"{gold['stem']}.{fmt_}")
    return tallies, missing, len(golds)


def check_gold(corpus_dir: Path, gold_dir: Path) -> int:
    bad = 0
    for f in sorted(gold_dir.glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        found = sorted(corpus_dir.glob(f"{gold['stem']}.*"))
        if not found:
            print(f"{f.name}: no file named {gold['stem']}.* in {corpus_dir}")
            bad += 1
            continue
        src = found[0]
        raw = src.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        if src.suffix.lower() in (".html", ".htm", ".jsp", ".xml"):
            import html
            text = html.unescape(re.sub(r"<[^>]+>", "", text))
        flat = squash(text)
        digits = re.sub(r"\D", "", text)
        import hashlib
        if gold.get("sha256") and gold["sha256"] != hashlib.sha256(raw).hexdigest():
            print(f"{f.name}: sha256 does not match {src.name}")
            bad += 1

        def need(s, what):
            nonlocal bad
            if s and squash(s) not in flat:
                print(f"{f.name}: {what} not in text: {s[:80]}")
                bad += 1

        for p in gold.get("programs") or []:
            need(p["name"], "program")
            for d in p.get("directions") or []:
                need(d, "direction")
            for r in p.get("requirements") or []:
                need(r, "requirement")
        for r in gold.get("requirements") or []:
            need(r, "requirement")
        for c in all_contacts(gold):
            for n in c.get("names") or []:
                need(n, "name")
            need(c.get("department"), "department")
            need(c.get("org"), "org")
            for ph in c.get("phones") or []:
                local = re.sub(r"\D", "", ph)
                local = local[4:] if local.startswith("0") and len(local) > 9 else local
                if local not in digits:
                    print(f"{f.name}: phone not in text: {ph}")
                    bad += 1
    print(f"gold check: {bad} problem(s)")
    return 1 if bad else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pred_dir", type=Path, nargs="?")
    ap.add_argument("gold_dir", type=Path)
    ap.add_argument("--explain", action="store_true", help="list every miss and false hit")
    ap.add_argument("--format", help="only score predictions whose source.format is this (txt, pdf, docx)")
    ap.add_argument("--json", type=Path, help="also write the scores here")
    ap.add_argument("--min", action="append", default=[], metavar="FIELD=F1",
                    help="fail (exit 1) when FIELD's F1 is below the bar; FIELD may be 'overall'")
    ap.add_argument("--skip", action="append", default=[], metavar="FIELD",
                    help="leave FIELD out of the overall score (it is still printed)")
    ap.add_argument("--check-gold", type=Path, metavar="CORPUS_DIR",
                    help="check that the gold files' strings occur in CORPUS_DIR/<stem>.*")
    args = ap.parse_args(argv)

    if args.check_gold:
        return check_gold(args.check_gold, args.gold_dir)
    if not args.pred_dir:
        ap.error("PRED_DIR is required")

    tallies, missing, n = evaluate(args.pred_dir, args.gold_dir, args.format)
    scores = {}
    core = [k for k in CORE if k not in args.skip]
    print(f"{'field':<16}{'P':>7}{'R':>7}{'F1':>7}   tp/fp/fn")
    for k in FIELDS:
        t = tallies[k]
        p, r, f = t.prf()
        scores[k] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": t.tp, "fp": t.fp, "fn": t.fn}
        mark = "" if k in core else "  (not in overall)"
        print(f"{k:<16}{p:7.3f}{r:7.3f}{f:7.3f}   {t.tp}/{t.fp}/{t.fn}{mark}")
    overall = sum(scores[k]["f1"] for k in core) / len(core)
    scores["overall"] = {"f1": round(overall, 4)}
    if args.explain:
        for k in FIELDS:
            for note in tallies[k].notes:
                print(f"[{k}] {note}")
    if missing:
        print(f"no prediction for: {', '.join(missing)}")
    if args.json:
        args.json.write_text(json.dumps({"scores": scores, "missing": missing}, ensure_ascii=False, indent=2))
    failed = []
    for bar in args.min:
        field, _, val = bar.partition("=")
        if field not in scores or scores[field]["f1"] < float(val):
            failed.append(f"{field} {scores.get(field, {}).get('f1')} < {val}")
    summary = f"overall F1 {overall:.3f} over {n} gold guide(s)"
    if failed:
        print(f"{summary}; below bar: {'; '.join(failed)}")
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
