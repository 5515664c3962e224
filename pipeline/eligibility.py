"""Draft eligibility rules as JSON Logic, and checking an applicant profile against them.

Each requirement with constraints becomes one rule (`and` of its constraints); a programme's rule is
the `and` of its own requirements' rules and the guide-wide ones. Only standard JSON Logic
operators are emitted (`var`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `and`), so any JSON Logic
library can run them: an ordered value (`副高级及以上` title, `B级以上` credit) becomes `in` over the
values at or above it (extractors/data/scales.toml), dates compare as ISO strings.

Profile fields: applicant fields at the top level (`founded_on`, `registered_in`,
`registration_years`, `is_high_tech_enterprise`, `credit_rating`, `annual_revenue_cny`,
`active_project_count`), the principal investigator under `pi` (`pi.birth_date`, `pi.title_level`,
`pi.degree`, `pi.credit_rating`, `pi.active_project_count`), the project under `project`
(`project.self_funding_share`, `project.total_investment_cny`, `project.subproject_count`) and the
consortium under `consortium` (`consortium.partner_count`, `consortium.local_enterprise_count`).

The evaluator is three-valued: a rule whose data is missing from the profile is unknown (None),
never silently true or false.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors.scales import is_ordered, off_scale, satisfying
from schemas import Constraint, Guide, Program, Requirement

MISSING = object()


def var_name(c: Constraint) -> str:
    return c.field if c.subject == "applicant" else f"{c.subject}.{c.field}"


def constraint_rule(c: Constraint) -> dict:
    var = {"var": var_name(c)}
    if c.op == "in":
        return {"in": [var, list(c.value)]}
    if is_ordered(c.field) and c.op in (">=", ">", "<=", "<"):
        allowed = satisfying(c.field, c.value, c.op)
        if allowed is not None:
            return {"in": [var, allowed]}
    return {c.op: [var, c.value]}


def requirement_rule(r: Requirement) -> dict | None:
    rules = [constraint_rule(c) for c in r.constraints]
    if not rules:
        return None
    return rules[0] if len(rules) == 1 else {"and": rules}


@dataclass
class RuleDraft:
    requirement_id: str
    text: str
    category: str
    span: dict
    rule: dict | None
    scope: str  # guide | program


@dataclass
class ProgramRules:
    guide_id: str
    program_id: str
    name: str
    category: str
    rules: list[RuleDraft] = field(default_factory=list)
    unconverted: list[RuleDraft] = field(default_factory=list)

    def combined(self) -> dict:
        rules = [d.rule for d in self.rules]
        return {"and": rules} if rules else {"and": []}


def program_rules(g: Guide, p: Program) -> ProgramRules:
    out = ProgramRules(g.id, p.id, p.name, p.category)
    for scope, prefix, reqs in (("guide", "g", g.requirements), ("program", p.id, p.requirements)):
        for k, r in enumerate(reqs, 1):
            d = RuleDraft(f"{prefix}-r{k}", r.text, r.category, r.span.model_dump(), requirement_rule(r), scope)
            (out.rules if d.rule else out.unconverted).append(d)
    return out


def rules_document(g: Guide) -> dict:
    """The rule file of one guide (`zhinan rules`)."""
    programs = []
    for p in g.programs:
        pr = program_rules(g, p)
        programs.append({
            "program_id": p.id, "name": p.name, "category": p.category, "status": "draft",
            "rule": pr.combined(),
            "rules": [{"requirement_id": d.requirement_id, "scope": d.scope, "category": d.category,
                       "status": "draft", "text": d.text, "span": d.span, "rule": d.rule} for d in pr.rules],
            "unconverted": [{"requirement_id": d.requirement_id, "scope": d.scope, "category": d.category,
                             "text": d.text, "span": d.span} for d in pr.unconverted],
        })
    return {"guide_id": g.id, "title": g.title, "region": g.region.name, "year": g.year,
            "format": "JSON Logic (jsonlogic.com)", "programs": programs}


# ---------------------------------------------------------------- evaluation
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


@dataclass
class Verdict:
    guide_id: str
    program_id: str
    name: str
    status: str  # eligible | not eligible | unknown
    failed: list[RuleDraft]
    unknown: list[RuleDraft]
    unconverted: int


def check(g: Guide, profile: dict) -> list[Verdict]:
    out = []
    for p in g.programs:
        pr = program_rules(g, p)
        failed, unknown = [], []
        for d in pr.rules:
            v = evaluate(d.rule, profile)
            if v is False:
                failed.append(d)
            elif v is not True:
                unknown.append(d)
        status = "not eligible" if failed else ("unknown" if unknown else "eligible")
        out.append(Verdict(g.id, p.id, p.name, status, failed, unknown, len(pr.unconverted)))
    return out
