"""JSON Logic rules and profile checks, on sample 003's constraints."""
from __future__ import annotations

import copy

import pytest

from pipeline.products.check import check, evaluate
from pipeline.products.rules import constraint_rule, rules_document
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


def test_a_profile_meeting_every_rule_is_possibly_eligible_with_what_is_left_listed(records):
    # every programme of 003 has requirements only a person can decide (the applicant clause is an
    # either/or: `在克拉玛依市境内注册…或克拉玛依市以外的…高等院校`), so none is `eligible` (issue 11.1)
    g = records["003_b20fb3b92bb753f0"]
    got = verdicts(g, PASS)
    assert {n: v.status for n, v in got.items()} == {n: "possibly eligible" for n in ALL}
    for v in got.values():
        assert not v.failed and v.left and len(v.open_questions) == len(v.unknown) + len(v.left)
        assert any("或克拉玛依市以外的" in d.text for d in v.left)


def test_either_or_and_relaxed_requirements_stay_text(records):
    g = records["003_b20fb3b92bb753f0"]
    woman_1974 = with_("pi.birth_date", "1974-05-01")  # 四十五周岁以下（1977年…）…女性…放宽
    got = verdicts(g, woman_1974)
    assert got["创新人才工程项目"].status == "possibly eligible"
    assert any("放宽" in d.text for d in got["创新人才工程项目"].left)
    # 软科学研究项目 only has `…在克拉玛依市境内注册…或克拉玛依市以外的…高等院校`: may be a university elsewhere;
    # 重大科技专项's own `在克拉玛依市境内注册、具有独立法人资格的企业` has no other branch
    elsewhere = verdicts(g, with_("registered_in", "乌鲁木齐市"))
    assert (elsewhere["软科学研究项目"].status, elsewhere["重大科技专项"].status) == ("possibly eligible", "not eligible")


def test_places_compare_through_the_gazetteer():
    from pipeline.products.check import same_place

    assert same_place("克拉玛依高新技术产业开发区", "克拉玛依市") is True     # a zone is in its city
    assert same_place("克拉玛依市", "新疆维吾尔自治区") is True               # a city is in its province
    assert same_place("乌鲁木齐市", "克拉玛依市") is False
    assert same_place("新疆维吾尔自治区", "克拉玛依市") is None               # a bigger area: undecided
    assert same_place("哈密市", "哈密高新技术产业开发区") is None             # in the city, maybe not the zone
    rule = constraint_rule(Constraint(subject="applicant", field="registered_in", op="==", value="克拉玛依市"))
    assert evaluate(rule, {"registered_in": "克拉玛依高新技术产业开发区"}) is True
    assert evaluate(rule, {"registered_in": "克拉玛依市"}) is True


def test_a_programme_not_accepting_applications_is_not_open():
    from extractors.document import guide_from_text
    from pipeline.products.check import check

    g = guide_from_text("关于申报2017年市科技计划项目的通知\n一、创新平台专项\n支持重点实验室建设，给予50万元资助。"
                        "本次暂不受理。\n二、科技成果转化专项\n给予不超过30万元资助。逾期不再受理。")
    got = {v.name: v.status for v in check(g, PASS)}
    assert got["创新平台专项"] == "not open" and got["科技成果转化专项"] != "not open"


@pytest.mark.parametrize("path,value,failing", [
    ("pi.birth_date", "1960-06-01", ALL),                              # 六十周岁以下（1962年1月1日以后出生）, guide-wide
    ("credit_rating", "C", ALL),                                       # 综合信用等级为B级以上
    ("pi.credit_rating", "C", ALL),
    ("registered_in", "乌鲁木齐市", {"重大科技专项", "重点研发计划", "技术创新引导计划", "创新人才工程项目"}),
    ("is_high_tech_enterprise", False, {"重大科技专项"}),              # 重点研发计划's: 特殊情况可放宽, left as text
    ("pi.title_level", "中级", {"重大科技专项", "重点研发计划"}),          # 副高级及以上; 中级 passes 技术创新引导计划
    ("pi.title_level", "初级", {"重大科技专项", "重点研发计划", "技术创新引导计划"}),
    ("project.self_funding_share", 0.75, {"重大科技专项"}),              # 80% fails, 70% passes
    ("project.self_funding_share", 0.6, {"重大科技专项"}),
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
    assert got["重大科技专项"].status == "possibly eligible"
    assert any("副高级" in d.text for d in got["重大科技专项"].unknown)
    assert not any("副高级" in d.text for d in got["软科学研究项目"].unknown)  # its title rule is an either/or: text


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


def test_requirement_ids_are_stored_and_survive_a_removed_requirement(records):
    """Ids are the record's (`Requirement.id`), used as they are by the rules file; deleting one
    requirement from the guide leaves every other id alone (positional ids `p1-r3` all shifted)."""
    from extractors.document import guide_from_text
    g = records["003_b20fb3b92bb753f0"]
    major = next(p for p in g.programs if p.name == "重大科技专项")
    ids = [r.id for p in g.programs for r in [*g.requirements, *p.requirements]]
    assert all(i.startswith("r-") for i in ids)
    all_ids = [r.id for r in [*g.requirements, *(x for p in g.programs for x in p.requirements)]]
    assert len(all_ids) == len(set(all_ids))
    doc = rules_document(g)
    drafted = {d["requirement_id"] for p in doc["programs"] for d in [*p["rules"], *p["unconverted"]]}
    assert drafted == set(all_ids)
    # remove the second requirement of 重大科技专项 from the text and extract again
    gone = major.requirements[1]
    start = g.text.rfind("\n", 0, gone.span.start) + 1
    end = g.text.find("\n", gone.span.end)
    g2 = guide_from_text(g.text[:start] + g.text[end + 1:], "003_b20fb3b92bb753f0.txt")
    major2 = next(p for p in g2.programs if p.name == "重大科技专项")
    assert len(major2.requirements) == len(major.requirements) - 1
    before = {r.text: r.id for r in major.requirements if r is not gone}
    after = {r.text: r.id for r in major2.requirements}
    assert before == after
