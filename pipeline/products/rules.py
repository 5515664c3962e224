"""Draft eligibility rules as JSON Logic (`zhinan rules`): one rule per requirement, combined per programme.

Each requirement with constraints becomes one rule (`and` of its constraints); a programme's rule is
the `and` of its own requirements' rules and the guide-wide ones. Only standard JSON Logic
operators are emitted (`var`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `and`), so any JSON Logic
library can run them: an ordered value (`副高级及以上` title, `B级以上` credit) becomes `in` over the
values at or above it (extractors/data/scales.toml), dates compare as ISO strings. A requirement
with another branch or a relaxation (`或`, `放宽至`: requirements.toml `alternative`) is not drafted
as a one-branch rule: it stays text (`unconverted`). Rules are keyed by the requirement's stable id
(`Requirement.id` in the record).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from extractors.rules import rules
from extractors.scales import is_ordered, satisfying
from pipeline.run.store import dumps, remove_stale, write_atomic
from schemas import Constraint, Guide, Program, Requirement

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


def has_other_branch(text: str) -> bool:
    """An either/or or a relaxation (`…或…`, `女性可放宽至…`): the constraints read from it are one
    branch, so the requirement stays text (rules file: `unconverted`), never a one-branch rule."""
    return any(r["regex"].search(text) for r in rules("requirements.toml", "alternative"))


def not_open(g: Guide, p: Program) -> bool:
    """The programme says it takes no applications this round (`本次暂不受理`)."""
    own = g.text[p.span.start:p.span.end]
    return any(r["regex"].search(own) for r in rules("requirements.toml", "not_open"))


def program_rules(g: Guide, p: Program) -> ProgramRules:
    out = ProgramRules(g.id, p.id, p.name, p.category)
    for scope, reqs in (("guide", g.requirements), ("program", p.requirements)):
        for r in reqs:
            rule = None if has_other_branch(r.text) else requirement_rule(r)
            d = RuleDraft(r.id, r.text, r.category, r.span.model_dump(), rule, scope)
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


def write_rules(guides: list[Guide], folder: Path) -> tuple[int, int]:
    """One rule file per guide (`<guide_id>.json`), files of guides no longer among the records
    removed; returns (rules drafted, requirements left as text)."""
    n_rules = n_left = 0
    keep = set()
    for g in guides:
        doc = rules_document(g)
        write_atomic(folder / f"{g.id}.json", dumps(doc))
        keep.add(f"{g.id}.json")
        n_rules += sum(len(p["rules"]) for p in doc["programs"])
        n_left += sum(len(p["unconverted"]) for p in doc["programs"])
    remove_stale(folder, "*.json", keep)
    return n_rules, n_left
