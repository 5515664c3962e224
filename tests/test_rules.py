"""Every rule data file's examples and counter-examples (one case each, so all failures show)."""
from __future__ import annotations

import pytest

from extractors.metadata import _rules as metadata_rules
from extractors.outline import is_bare_heading, match_numbered
from extractors.programs import _cfg as program_cfg
from extractors.rules import load_toml


def _cases():
    for group in ("inline", "line", "toc_heading"):
        for rule in load_toml("artefacts.toml")[group]:
            for ex in rule["examples"]:
                yield pytest.param(f"artefact.{group}", rule, ex, True, id=f"artefact-{rule['id']}-{ex}")
            for ex in rule["counter"]:
                yield pytest.param(f"artefact.{group}", rule, ex, False, id=f"artefact-{rule['id']}-not-{ex}")
    for rule in load_toml("numbering.toml")["style"]:
        for ex in rule["examples"]:
            yield pytest.param("style", rule, ex, True, id=f"style-{rule['id']}-{ex}")
        for ex in rule["counter"]:
            yield pytest.param("style", rule, ex, False, id=f"style-{rule['id']}-not-{ex}")
    bare = load_toml("numbering.toml")["bare"]
    for ex in bare["examples"]:
        yield pytest.param("bare", None, ex, True, id=f"bare-{ex}")
    for ex in bare["counter"]:
        yield pytest.param("bare", None, ex, False, id=f"bare-not-{ex}")
    for group in ("name", "exclude", "exclude_subtree", "signals"):
        body = load_toml("programs.toml")[group]
        for ex in body["examples"]:
            yield pytest.param(f"programs.{group}", None, ex, True, id=f"programs-{group}-{ex}")
        for ex in body["counter"]:
            yield pytest.param(f"programs.{group}", None, ex, False, id=f"programs-{group}-not-{ex}")
    for group in ("context", "category"):
        for rule in load_toml("categories.toml")[group]:
            for ex in rule["examples"]:
                yield pytest.param("category", rule, ex, True, id=f"category-{rule['id']}-{ex}")
            for ex in rule["counter"]:
                yield pytest.param("category", rule, ex, False, id=f"category-{rule['id']}-not-{ex}")
    for file, groups in (("funding.toml", ("mode", "cofunding", "duration")), ("deadlines.toml", ("kind",)),
                         ("requirements.toml", ("limit_sentence", "category"))):
        for group in groups:
            for rule in load_toml(file)[group]:
                rid = rule.get("id") or rule.get("comment")
                for ex in rule.get("examples", []):
                    yield pytest.param("regex", rule, ex, True, id=f"{file}-{group}-{rid}-{ex}")
                for ex in rule.get("counter", []):
                    yield pytest.param("regex", rule, ex, False, id=f"{file}-{group}-{rid}-not-{ex}")
    for group, body in load_toml("sections.toml").items():
        for ex in body.get("examples", []):
            yield pytest.param(f"sections.{group}", body, ex, True, id=f"sections-{group}-{ex}")
        for ex in body.get("counter", []):
            yield pytest.param(f"sections.{group}", body, ex, False, id=f"sections-{group}-not-{ex}")
    for rule in load_toml("constraints.toml")["rule"]:
        for ex in rule.get("examples", []):
            yield pytest.param("constraint", rule, ex, True, id=f"constraint-{rule['id']}-{ex}")
        for ex in rule.get("counter", []):
            yield pytest.param("constraint", rule, ex, False, id=f"constraint-{rule['id']}-not-{ex}")
    for rule in load_toml("offers.toml")["part"]:
        for ex in rule["examples"]:
            yield pytest.param("offers.part", rule, ex, True, id=f"offers-part-{rule['id']}-{ex}")
        for ex in rule["counter"]:
            yield pytest.param("offers.part", rule, ex, False, id=f"offers-part-{rule['id']}-not-{ex}")
    for file, groups in (("offers.toml", ("money", "lead_in", "offer_name")), ("programs.toml", ("call",)),
                         ("metadata.toml", ("title", "issued"))):
        for group in groups:
            body = load_toml(file)[group]
            for ex in body["examples"]:
                yield pytest.param("table", body, ex, True, id=f"{file}-{group}-{ex}")
            for ex in body["counter"]:
                yield pytest.param("table", body, ex, False, id=f"{file}-{group}-not-{ex}")
    for key in ("year", "issuer"):
        for ex in load_toml("metadata.toml")[key].get("examples", []):
            yield pytest.param(f"metadata.{key}", None, ex, True, id=f"metadata-{key}-{ex}")
        for ex in load_toml("metadata.toml")[key].get("counter", []):
            yield pytest.param(f"metadata.{key}", None, ex, False, id=f"metadata-{key}-not-{ex}")


@pytest.mark.parametrize("kind,rule,text,expected", list(_cases()))
def test_rule_example(kind, rule, text, expected):
    if kind == "artefact.inline":  # removed wherever it occurs
        hit = bool(rule["regex"].search(text))
    elif kind.startswith("artefact."):  # a whole line
        hit = bool(rule["regex"].match(text))
    elif kind == "style":
        m = match_numbered(text)
        hit = m is not None and m[0]["id"] == rule["id"]
    elif kind == "bare":
        hit = is_bare_heading(text)
    elif kind.startswith("programs."):
        group = kind.split(".", 1)[1]
        c = program_cfg()
        if group == "name":
            hit = bool(c["name.pattern"].search(text))
        elif group == "signals":
            hit = bool(c["signals.child"].search(text))
        else:
            hit = bool(c[f"{group}.pattern"].search(text))
    elif kind == "offers.part":  # first match wins: the example must land on this very rule
        from extractors.offers import part_kind

        hit = part_kind(text) == rule["id"]
    elif kind == "table":
        hit = bool(rule["regex"].search(text))
    elif kind in ("category", "regex"):
        hit = bool(rule["regex"].search(text))
    elif kind.startswith("sections."):
        import re

        hit = bool(re.search(rule["pattern"], text)) and not (rule.get("not") and re.search(rule["not"], text))
    elif kind == "constraint":
        from extractors.constraints import parse_constraints

        hit = any(c.rule == rule["id"] for c in parse_constraints(text))
    elif kind == "metadata.year":
        hit = bool(metadata_rules()["year.title"].search(text))
    elif kind == "metadata.issuer":
        hit = bool(metadata_rules()["issuer.pattern"].match(text))
    else:
        raise AssertionError(kind)
    assert hit is expected


@pytest.fixture
def rule_file(tmp_path, monkeypatch):
    """Write a rule file into a temporary data folder; load it with `extractors.rules.load_toml`
    (its cache cleared before and after)."""
    import extractors.rules as r

    monkeypatch.setattr(r, "DATA", tmp_path)
    r.load_toml.cache_clear()

    def write(name: str, toml: str) -> str:
        (tmp_path / name).write_text(toml, encoding="utf-8")
        return name
    yield write
    r.load_toml.cache_clear()


def test_bad_pattern_is_reported_with_its_rule(rule_file):
    from extractors.rules import RuleError, load_toml

    name = rule_file("bad.toml", '[[line]]\nid = "oops"\npattern = "(unclosed"\nexamples = ["x"]\ncounter = ["y"]\n')
    with pytest.raises(RuleError, match="oops"):
        load_toml(name)


FIRST_MATCH = [("categories.toml", "category"), ("requirements.toml", "category"), ("deadlines.toml", "kind"),
               ("offers.toml", "part")]


@pytest.mark.parametrize("file,group", FIRST_MATCH)
def test_first_match_order(file, group):
    """In a first-match group each rule's examples must reach that rule: no earlier rule takes them."""
    rules = load_toml(file)[group]
    for k, rule in enumerate(rules):
        for ex in rule["examples"]:
            first = next(r for r in rules if r["regex"].search(ex.strip().rstrip("：: ")))
            assert first["id"] == rule["id"], f"{file} [{group}] {ex!r} reaches {first['id']} before {rule['id']}"


def test_every_rule_file_validates_and_every_rule_has_counter_examples():
    from extractors.rules import DATA

    for path in sorted(DATA.glob("*.toml")):
        data = load_toml(path.name)  # raises RuleError on a bad entry
        for group, body in data.items():
            for entry in body if isinstance(body, list) else ([body] if isinstance(body, dict) and "pattern" in body else []):
                assert entry["examples"] and entry["counter"], (path.name, group, entry.get("id"))


def test_a_rule_without_counter_examples_is_refused_with_its_entry_quoted(rule_file):
    from extractors.rules import RuleError, load_toml

    name = rule_file("thin.toml", '[[kind]]\nid = "close"\npattern = "截止"\nexamples = ["6月15日截止"]\n')
    with pytest.raises(RuleError, match=r"thin.toml \[kind\] close: needs .*counter.*pattern = '截止'"):
        load_toml(name)
