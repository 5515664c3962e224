"""Programme detection, names, nesting and categories."""
from __future__ import annotations

import pytest

from extractors.programs import categorize, clean_name


@pytest.mark.parametrize("heading,name", [
    ("2024年西宁市重大科技专项申报指南", "重大科技专项"),
    ("重大科技专项项目申报指南", "重大科技专项"),
    ("创新环境建设计划项目申报指南", "创新环境建设计划"),
    ("成果转化类需求", "成果转化类"),
    ("2024年西宁市科技创新能力建设专项计划申报指南", "科技创新能力建设专项计划"),
    ("科技重大专项", "科技重大专项"),
    ("“科技援疆”专项", "科技援疆”专项"),
])
def test_clean_name(heading, name):
    got, a, b = clean_name(heading)
    assert got == name and heading[a:b] == got


@pytest.mark.parametrize("name,title,category", [
    ("重点研发与转化计划", "关于印发2024年西宁市科技计划项目申报指南的通知", "key_rnd"),
    ("科技成果转化基金", "关于申报2017年市科技计划项目的通知", "tech_transfer"),
    ("重大经济科技活动知识产权评议计划", "关于申报2017年市科技计划项目的通知", "ip"),
    ("技术攻关类", "乌鲁木齐市2024年度重点领域科技创新攻关项目“揭榜挂帅”需求征集申报指南", "open_competition"),
    ("某某其他事项", "通知", "other"),
])
def test_categorize(name, title, category):
    assert categorize(name, title) == category


def test_appended_application_form_is_not_a_programme(records):
    g = records["002_1d24a9c214daa895"]
    names = [p.name for p in g.programs]
    assert names == ["重大科技专项", "重点研发与转化计划", "科技创新能力建设专项计划", "民生科技专项计划"]
    form_start = g.text.index("西宁市科学技术项目申 报 书")
    assert all(p.span.end <= form_start for p in g.programs)


def test_nested_programmes_point_to_their_parent(records):
    g = records["003_b20fb3b92bb753f0"]
    by_id = {p.id: p for p in g.programs}
    child = next(p for p in g.programs if p.name == "创新人才工程项目")
    assert by_id[child.parent].name == "创新环境建设计划"
    assert child.category == "talent" and by_id[child.parent].category == "platform"


def test_requirement_items_naming_projects_are_not_programmes(records):
    # 000: （三）使用财政资金或国有资产500万元以上的…无形资产引进项目。 sits under 申报要求
    g = records["000_8708816bca33718b"]
    assert not any("引进项目" in p.name for p in g.programs)
    assert len(g.programs) == 8


def test_run_in_items_with_their_own_money_are_nested_programmes(records):
    # d10 方向14: two unnumbered items, each `title。` then its own award; the heading pays nothing itself
    g = records["d10_beijing_policy_cards_manufacturing_2024"]
    by_id = {p.id: p for p in g.programs}
    for name in ("工业企业稳运行奖励", "软件信息服务业企业稳运行奖励"):
        p = next(p for p in g.programs if p.name == name)
        assert by_id[p.parent].name == "工业和软件信息服务业企业一季度稳运行奖励"
        assert [(f.min_cny, f.max_cny) for f in p.funding] == [(None, 6_000_000)]
        assert g.text[p.span.start:p.span.end].startswith(name + "。对 ")
    assert by_id[p.parent].funding == []
