"""JSON Logic rules and profile checks, on sample 003's constraints."""
from __future__ import annotations

import copy

import pytest

from pipeline.eligibility import check, constraint_rule, evaluate, rules_document
from schemas import Constraint

PASS = {
    "registered_in": "克拉玛依市", "credit_rating": "A", "is_high_tech_enterprise": True,
    "pi": {"birth_date": "1985-01-01", "title_level": "正高级", "credit_rating": "B"},
    "project": {"self_funding_share": 0.85, "total_investment_cny": 50_000_000, "subproject_count": 4},
    "consortium": {"partner_count": 3, "local_enterprise_count": 2},
}
ALL = {"重大科技专项", "重点研发计划", "技术创新引导计划", "创新环境建设计划", "创新人才工程项目", "软科学研究项目"}


def verdicts(g, profile):
    return {v.name: v for v in check(g, profile)}


def with_(path: str, value):
    p = copy.deepcopy(PASS)
    cur = p
    *head, last = path.split(".")
    for k in head:
        cur = cur[k]
    cur[last] = value
    return p


def test_a_profile_meeting_every_constraint_is_eligible_everywhere(records):
    g = records["003_b20fb3b92bb753f0"]
    assert {n: v.status for n, v in verdicts(g, PASS).items()} == {n: "eligible" for n in ALL}


@pytest.mark.parametrize("path,value,failing", [
    ("pi.birth_date", "1960-06-01", ALL),                              # 六十周岁以下（1962年1月1日以后出生）, guide-wide
    ("pi.birth_date", "1975-03-01", {"创新人才工程项目"}),               # 四十五周岁以下（1977年1月1日以后出生）
    ("credit_rating", "C", ALL),                                       # 综合信用等级为B级以上
    ("pi.credit_rating", "C", ALL),
    ("registered_in", "乌鲁木齐市", ALL),                               # 在克拉玛依市境内注册
    ("is_high_tech_enterprise", False, {"重大科技专项", "重点研发计划"}),
    ("pi.title_level", "中级", {"重大科技专项", "重点研发计划"}),          # 副高级及以上; 中级 passes 技术创新引导计划
    ("pi.title_level", "初级", {"重大科技专项", "重点研发计划", "技术创新引导计划"}),
    ("project.self_funding_share", 0.75, {"重大科技专项"}),              # 80% fails, 70% passes
    ("project.self_funding_share", 0.6, {"重大科技专项", "重点研发计划"}),
    ("project.total_investment_cny", 20_000_000, {"重大科技专项"}),
    ("project.subproject_count", 2, {"重大科技专项"}),
    ("consortium.partner_count", 2, {"重大科技专项"}),
    ("consortium.local_enterprise_count", 1, {"重大科技专项"}),
])
def test_failing_one_constraint_fails_exactly_the_programmes_that_have_it(records, path, value, failing):
    g = records["003_b20fb3b92bb753f0"]
    got = verdicts(g, with_(path, value))
    assert {n for n, v in got.items() if v.status == "not eligible"} == failing
    for name in failing:  # the verdict cites the requirement that decided it
        field = path.split(".")[-1]
        assert any(field.split("_")[0] in str(d.rule) for d in got[name].failed), (name, got[name].failed)


def test_missing_data_is_unknown_not_a_guess(records):
    g = records["003_b20fb3b92bb753f0"]
    profile = copy.deepcopy(PASS)
    del profile["pi"]["title_level"]
    got = verdicts(g, profile)
    assert got["重大科技专项"].status == "unknown"
    assert any("副高级" in d.text for d in got["重大科技专项"].unknown)
    assert got["软科学研究项目"].status == "eligible"  # its title rule is an either/or, left as text


@pytest.mark.parametrize("constraint,data,expected", [
    (Constraint(subject="pi", field="title_level", op=">=", value="副高级"), {"pi": {"title_level": "正高级"}}, True),
    (Constraint(subject="pi", field="title_level", op=">=", value="副高级"), {"pi": {"title_level": "中级"}}, False),
    (Constraint(subject="pi", field="degree", op=">=", value="本科"), {"pi": {"degree": "硕士"}}, True),
    (Constraint(subject="applicant", field="credit_rating", op=">=", value="B"), {"credit_rating": "AA"}, True),
    (Constraint(subject="applicant", field="credit_rating", op=">=", value="良好"), {"credit_rating": "合格"}, False),
    (Constraint(subject="pi", field="birth_date", op=">=", value="1977-01-01"), {"pi": {"birth_date": "1976-12-31"}}, False),
    (Constraint(subject="applicant", field="registered_in", op="in", value=["昌吉国家高新技术产业开发区", "哈密高新技术产业开发区"]),
     {"registered_in": "哈密高新技术产业开发区"}, True),
    (Constraint(subject="consortium", field="partner_count", op="<=", value=5), {"consortium": {"partner_count": 6}}, False),
    (Constraint(subject="pi", field="title_level", op=">=", value="副高级"), {}, None),
    # a letter grade against a word-grade rule cannot be compared: unknown, not "not eligible"
    (Constraint(subject="applicant", field="credit_rating", op=">=", value="良好"), {"credit_rating": "B"}, None),
    (Constraint(subject="pi", field="title_level", op=">=", value="副高级"), {"pi": {"title_level": "研究员"}}, None),
])
def test_constraint_rules_evaluate(constraint, data, expected):
    assert evaluate(constraint_rule(constraint), data) is expected


def test_ordered_values_become_portable_in_lists():
    rule = constraint_rule(Constraint(subject="pi", field="title_level", op=">=", value="副高级"))
    assert rule == {"in": [{"var": "pi.title_level"}, ["副高级", "高级", "正高级"]]}


def test_rule_file_lists_drafts_and_what_stayed_text(records):
    doc = rules_document(records["003_b20fb3b92bb753f0"])
    major = next(p for p in doc["programs"] if p["name"] == "重大科技专项")
    assert all(r["status"] == "draft" for r in major["rules"])
    texts = [r["text"] for r in major["rules"]]
    assert any("至少 3 家" in t for t in texts)
    assert any("其他条件按" in u["text"] for u in major["unconverted"])
    r = next(r for r in major["rules"] if "至少 3 家" in r["text"])
    g = records["003_b20fb3b92bb753f0"]
    assert g.text[r["span"]["start"]:r["span"]["end"]] == r["text"]
    assert major["rule"]["and"] and all(isinstance(x, dict) for x in major["rule"]["and"])
