"""Amount grammar and the funding / not-funding decision, on real guide sentences."""
from __future__ import annotations

import pytest

from extractors.amounts import find_amounts, parse_amount
from extractors.funding import cofunding_in, duration_in, is_payment, modes_in

WAN = 10_000


@pytest.mark.parametrize("text,expected", [
    ("单项资助额度为200-1000万元", (200 * WAN, 1000 * WAN)),
    ("100～500万元", (100 * WAN, 500 * WAN)),  # JioNLP: full-width tilde is one range
    ("单项资助5-20万。", (5 * WAN, 20 * WAN)),
    ("20万元至50万元", (20 * WAN, 50 * WAN)),
    ("单项资助额度不超过100万元。", (None, 100 * WAN)),
    ("最高不超过1000万元", (None, 1000 * WAN)),
    ("最高不超过500万元", (None, 500 * WAN)),  # JioNLP
    ("原则上不超过200万元", (None, 200 * WAN)),  # JioNLP
    ("每项不超过300万元", (None, 300 * WAN)),  # JioNLP
    ("300万元/项", (300 * WAN, 300 * WAN)),  # JioNLP
    ("1000万元以内", (None, 1000 * WAN)),  # JioNLP
    ("单个项目资助不超过300万元", (None, 300 * WAN)),  # JioNLP: a cap, never a floor
    ("不低于50万元", (50 * WAN, None)),  # JioNLP: a floor
    ("单个项目最高支持额度不超过1000万元", (None, 1000 * WAN)),
    ("给予单个项目最高不超过200万元的资金支持", (None, 200 * WAN)),
    ("2.95亿元", (295_000_000, 295_000_000)),
    ("五十万元", (50 * WAN, 50 * WAN)),
    ("单项资助额度 50-200 万元", (50 * WAN, 200 * WAN)),
    ("资助２０－５０万元", (20 * WAN, 50 * WAN)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_parse_amount(text, expected):
    from extractors.normalize import normalize

    assert parse_amount(normalize(text).text) == expected


def test_nothing_found_is_none():
    assert parse_amount("按照实际需要分年度拨付资金") is None
    assert find_amounts("实施期限2-3年") == []


@pytest.mark.parametrize("sentence,paid", [
    ("主要以无偿资助、股权投资形式支持，单项资助额度为200-1000万元。", True),
    ("重大科技专项原则上采取直补方式进行支持，支持额度100-500万元。", True),
    ("给予单个项目最高不超过200万元的资金支持", True),
    ("2016年销售额在2000万元以内；", False),
    ("项目总投入不少于 3000 万元，项目自筹资金应占总投资 80%以上。", False),
    ("研究经费不得用于购置固定资产（包括价值1000元以上的仪器设备以及价值1500元以上的专用仪器设备）", False),
    ("成果转移转化和产业化项目预期产生的经济效益不少于1000万元。", False),
    ("使用财政资金200万元以上的科学研究、技术研发、成果转化、专利实施等科技创新项目。", False),
    ("项目实施期内实现产值不少于 1 亿元；", False),
    ("按照企业上年度研发投入的20%给予补助，最高不超过100万元。", True),
    ("企业上年度销售收入不低于500万元，择优给予支持。", False),
], ids=lambda v: v[:24] if isinstance(v, str) else str(v))
def test_payment_or_not(sentence, paid):
    amounts = find_amounts(sentence)
    assert amounts
    assert all(is_payment(sentence, a) is paid for a in amounts)


@pytest.mark.parametrize("text,modes", [
    ("主要以无偿资助、股权投资形式支持", ["grant", "equity"]),
    ("企业项目以事前立项事后补助形式支持，事业单位项目以事前资助形式支持", ["post_subsidy", "grant"]),
    ("科技创新能力建设专项可根据实际情况采取直补或后补助方式进行支持。", ["post_subsidy", "grant"]),
    ("按照实际需要分年度拨付资金。", ["phased"]),
    ("2018年起，拟以5-7年期科技成果转化引导基金（天使基金）形式支持", ["equity"]),
    ("对于具有排他性质的创新平台创建活动给予事前或事中资助", []),
])
def test_modes(text, modes):
    assert sorted(modes_in(text)) == sorted(modes)


@pytest.mark.parametrize("text,expected", [
    ("项目承担单位自筹资金比例不低于财政支持额度的2倍", ("multiple_of_grant", 2.0)),
    ("项目预算中自筹资金（货币资金）应占总投资70%以上", ("share_of_total", 0.7)),
    ("项目自筹资金应占总投资 80%以上。", ("share_of_total", 0.8)),
    ("支持额度100-500万元。", None),
])
def test_cofunding(text, expected):
    got = cofunding_in(text)
    assert (got[0] if got else None) == expected


@pytest.mark.parametrize("text,expected", [
    ("实施期限2-3年，按照实际需要分年度拨付资金。", (2, 3)),
    ("项目实施期1-2年，原则上不超过两年", (1, 2)),
    ("项目实施周期一般原则上不超过3年。", (None, 3)),
    ("项目实施期间不得变更项目负责人", None),
])
def test_duration(text, expected):
    got = duration_in(text)
    assert (tuple(None if v is None else int(v) for v in got[0]) if got else None) == expected


@pytest.mark.parametrize("sentence,expected", [
    # a threshold the applicant meets (`…以上的`, `…大于…的`) is no payment; the reward is
    ("实际累计履约金额（不含税）在 300 万元（含）以上的，按实际履约金额的 5%给予奖励，最高不超过 300万元。",
     [(None, 3000000, "project")]),
    # a rate on revenue with its cap: the cap is paid (revenue governs the rate, not the cap)
    ("对符合条件的企业，按其年度营业收入增量的1%给予奖励，最高不超过200万元。", [(None, 2000000, "project")]),
    # money a government sets aside is the programme's budget
    ("市财政安排专项资金5000万元。", [(50000000, 50000000, "program_total")]),
    # a paying verb before the amount keeps it, whatever the bracket after it says
    ("国内发明专利申请进入实质审查后每件资助3000元（获国家知识产权局费用减缓的，不再给予资助）。",
     [(3000, 3000, "project")]),
])
def test_which_amounts_a_sentence_pays(sentence, expected):
    from extractors.funding import extract_funding
    from extractors.textspan import Region

    got = extract_funding(sentence, Region.of(0, len(sentence)), []).items
    assert [(i.min_cny, i.max_cny, i.per) for i in got] == expected
