"""Checking an applicant profile against the drafted rules (`zhinan check`): a verdict that never guesses.

Profile fields: applicant fields at the top level (`founded_on`, `registered_in`,
`registration_years`, `is_high_tech_enterprise`, `credit_rating`, `annual_revenue_cny`,
`active_project_count`), the principal investigator under `pi` (`pi.birth_date`, `pi.title_level`,
`pi.degree`, `pi.credit_rating`, `pi.active_project_count`), the project under `project`
(`project.self_funding_share`, `project.total_investment_cny`, `project.subproject_count`) and the
consortium under `consortium` (`consortium.partner_count`, `consortium.local_enterprise_count`).

The evaluator is three-valued: a rule whose data is missing from the profile is unknown (None),
never silently true or false. Places compare through the gazetteer's hierarchy (a company in a
development zone or a district is in its city and province).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors.gazetteer import load as load_gazetteer
from extractors.scales import off_scale
from pipeline.products.records import order
from pipeline.products.rules import RuleDraft, not_open, program_rules
from schemas import Guide

MISSING = object()


def _lookup(data: dict, path: str):
    cur = data
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur or cur[part] is None:
            return MISSING
        cur = cur[part]
    return cur


def evaluate(rule, data: dict):
    """JSON Logic with three-valued logic: True, False, or None (unknown: data missing)."""
    if not isinstance(rule, dict):
        return rule
    (op, args), = rule.items()
    if op == "var":
        return _lookup(data, args if isinstance(args, str) else args[0])
    if not isinstance(args, list):
        args = [args]
    if op == "and":
        vals = [evaluate(a, data) for a in args]
        if any(v is False for v in vals):
            return False
        return None if any(v is None or v is MISSING for v in vals) else True
    if op == "or":
        vals = [evaluate(a, data) for a in args]
        if any(v is True for v in vals):
            return True
        return None if any(v is None or v is MISSING for v in vals) else False
    if op == "!":
        v = evaluate(args[0], data)
        return None if v is None or v is MISSING else not v
    a, b = (evaluate(x, data) for x in args[:2])
    if a is MISSING or b is MISSING or a is None or b is None:
        return None
    if isinstance(args[0], dict) and args[0].get("var") in PLACE_FIELDS and op in ("==", "!=", "in"):
        return _place_verdict(op, a, b)
    if op == "in":
        if not isinstance(b, (list, str)):
            return None
        if a not in b and isinstance(b, list) and off_scale(b, a):
            return None  # `B` against a `良好及以上` rule: a different scale, not a lower grade
        return a in b
    try:
        return {"==": lambda: a == b, "!=": lambda: a != b, ">": lambda: a > b, ">=": lambda: a >= b,
                "<": lambda: a < b, "<=": lambda: a <= b}[op]()
    except TypeError:
        return None  # a number against a string: cannot be decided
    except KeyError:
        raise ValueError(f"unsupported JSON Logic operator {op!r}")


PLACE_FIELDS = {"registered_in"}


def _place(name: str):
    """(GB/T 2260 code, whether the whole string is that place's name) of a place string, or None."""
    found = load_gazetteer().scan(name)
    if not found:
        return None
    m = found[0]
    return m.place.code, len(found) == 1 and m.start == 0 and m.end == len(name.strip())


def _within(inner: str, outer: str) -> bool:
    """Is the area `inner` inside `outer` (codes: province xx0000, city xxxx00, district xxxxxx)?"""
    if outer.endswith("0000"):
        return inner[:2] == outer[:2]
    if outer.endswith("00"):
        return inner[:4] == outer[:4]
    return inner == outer


def same_place(profile: str, rule: str):
    """Is a profile's place the rule's place, through the gazetteer's hierarchy? A company in a
    development zone or a district is in its city and province (True); a place elsewhere is not
    (False); a bigger area than the rule names, or a rule naming a zone, cannot be decided (None)."""
    if profile.strip() == rule.strip():
        return True
    p, r = _place(profile), _place(rule)
    if p is None or r is None:
        return None
    if not _within(p[0], r[0]):
        return None if _within(r[0], p[0]) else False
    return True if r[1] else None  # the rule names a zone or unit inside its place: only the name decides


def _place_verdict(op: str, a, b):
    if op == "in":
        if not isinstance(b, list):
            return None
        votes = [same_place(str(a), str(x)) for x in b]
        return True if True in votes else (None if None in votes else False)
    same = same_place(str(a), str(b))
    return same if op == "==" or same is None else not same


@dataclass
class Verdict:
    guide_id: str
    program_id: str
    name: str
    status: str  # eligible | not eligible | possibly eligible | not open
    failed: list[RuleDraft]
    unknown: list[RuleDraft]      # rules the profile lacks the data for
    unconverted: int
    left: list[RuleDraft] = field(default_factory=list)  # requirements only a person can decide (text)
    decided: list[tuple[RuleDraft, bool]] = field(default_factory=list)  # rules decided, and how

    @property
    def open_questions(self) -> list[RuleDraft]:
        """Everything not decided from the profile: missing data, then requirements left as text."""
        return self.unknown + self.left

    def explained(self) -> list[tuple[str, RuleDraft]]:
        """Each requirement and how it was decided: passed, FAILED, no data (the profile lacks
        it), as text (only a person can decide it)."""
        return ([("passed" if ok else "FAILED", d) for d, ok in self.decided] + [("no data", d) for d in self.unknown]
                + [("as text", d) for d in self.left])


def check(g: Guide, profile: dict) -> list[Verdict]:
    """A verdict per programme that never guesses: `not open` when the programme takes no
    applications this round; `not eligible` when a rule fails; `eligible` only when every
    requirement was decided from the profile; otherwise `possibly eligible`, with the requirements
    left to a person (missing data, or requirements kept as text) listed."""
    out = []
    for p in g.programs:
        pr = program_rules(g, p)
        failed, unknown, decided = [], [], []
        for d in pr.rules:
            v = evaluate(d.rule, profile)
            if v is False:
                failed.append(d)
            elif v is not True:
                unknown.append(d)
            if v is True or v is False:
                decided.append((d, v))
        if not_open(g, p):
            status = "not open"
        elif failed:
            status = "not eligible"
        else:
            status = "possibly eligible" if unknown or pr.unconverted else "eligible"
        out.append(Verdict(g.id, p.id, p.name, status, failed, unknown, len(pr.unconverted), list(pr.unconverted),
                           decided))
    return out


def verdict_json(g: Guide, v: Verdict) -> dict:
    """One verdict as `zhinan check --format json` prints it."""
    def item(d: RuleDraft) -> dict:
        return {"requirement_id": d.requirement_id, "text": d.text, "span": d.span}

    return {"guide_id": v.guide_id, "title": g.title, "program_id": v.program_id, "program": v.name,
            "status": v.status, "failed": [item(d) for d in v.failed], "unknown": [item(d) for d in v.unknown],
            "left_as_text": [item(d) for d in v.left], "open_questions": len(v.open_questions),
            "decided": [{**item(d), "passed": ok} for d, ok in v.decided], "unconverted": v.unconverted}


def check_all(guides: list[Guide], profile: dict) -> list[tuple[Guide, Verdict]]:
    """Every programme of every guide (in the records' order) with its verdict."""
    return [(g, v) for g in sorted(guides, key=order) for v in check(g, profile)]
