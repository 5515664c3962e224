"""Outline levels from numbering style in context, including the numbering mistakes of real guides."""
from __future__ import annotations

import pytest

from extractors.normalize import normalize
from extractors.outline import build_outline, clause_title, match_numbered
from tests.conftest import CORPUS


def outline(raw: str) -> list[tuple[int, str]]:
    text = normalize(raw).text
    return [(n.level, n.title) for n in build_outline(text)]


def corpus_outline(stem: str):
    from extractors.metadata import find_title

    text = normalize((CORPUS / f"{stem}.txt").read_text(encoding="utf-8")).text
    return text, build_outline(text, find_title(text)[1])


def test_repeated_counter_is_still_a_sibling():
    # 003 writes （一） twice under 支持方向和重点
    raw = ("二、支持方向和重点\n(一）油田智能化修井装备研发与产业化应用\n1.目标任务：\n"
           "（一）基于大数据技术的城市智慧大脑平台研究与示范应用\n1.目标任务：以新型智慧城市建设为目标\n"
           "（三）油田储层-井筒-地面一体化综合治理技术研究与应用\n三、申报要求\n")
    assert outline(raw) == [
        (1, "支持方向和重点"), (2, "油田智能化修井装备研发与产业化应用"), (3, "目标任务"),
        (2, "基于大数据技术的城市智慧大脑平台研究与示范应用"), (3, "目标任务"),
        (2, "油田储层-井筒-地面一体化综合治理技术研究与应用"), (1, "申报要求")]


def test_wrong_style_with_continuing_counter_is_a_sibling():
    # 002 writes （4） where （三） belongs
    raw = "二、支持重点\n（一）盐湖资源\n（二）清洁能源\n（4） 新材料\n（五）特色化工\n三、支持方式\n"
    assert outline(raw) == [(1, "支持重点"), (2, "盐湖资源"), (2, "清洁能源"), (2, "新材料"),
                            (2, "特色化工"), (1, "支持方式")]


def test_arabic_and_chinese_dun_numbering_mixed_in_one_list():
    # 002 附件2: 1、 支持方向 / 二、支持重点 / 三、支持方式 / 4、 联系方式
    raw = ("1、 支持方向\n围绕产业链部署创新链。\n二、支持重点\n（一）盐湖资源\n加快推进盐湖钾。\n"
           "三、支持方式\n重点研发与转化计划原则上采取后补助方式进行支持。\n4、 联系方式\n1.高新技术与发展计划科\n")
    assert outline(raw) == [(1, "支持方向"), (1, "支持重点"), (2, "盐湖资源"), (1, "支持方式"),
                            (1, "联系方式"), (2, "高新技术与发展计划科")]


def test_bare_programme_lines_become_parents_of_restarted_lists():
    # 000: procedure numbered 1、-4、, then each programme introduced by a bare line
    raw = ("1、 项目入库流程\n（1） 项目入库申请。各单位下载样本。\n4、 联系方式\n（一）科技中介机构：\n"
           "各计划归口科室、联系人、联系方式详见附件。\n 科技重大专项\n1、 支持方向\n支持以产学研合作形式协作攻关。\n"
           "2、 资助方式\n主要以无偿资助、股权投资形式支持，单项资助额度为200-1000万元。\n"
           "科技成果转化基金\n1、 支持方向\n着眼于促进科技成果转化。\n")
    assert outline(raw) == [
        (1, "项目入库流程"), (2, "项目入库申请"), (1, "联系方式"), (2, "科技中介机构"),
        (1, "科技重大专项"), (2, "支持方向"), (2, "资助方式"), (1, "科技成果转化基金"), (2, "支持方向")]


def test_lost_numbering_is_recovered_from_later_counters():
    # 004: 一、 and （一） were automatic numbering lost in conversion; （二） and 三、 survive
    _, nodes = corpus_outline("004_f341f958e9ff6538")
    got = [(n.level, n.title) for n in nodes if n.level <= 2]
    assert got[:5] == [(1, "征集重点"), (1, "征集内容及资格条件"), (2, "技术攻关类需求"),
                       (2, "成果转化类需求"), (2, "技术攻关类揭榜方主要为市内外具有研发能力的高校、科研机构、科技型企业"
                                               "或各类创新平台及其他组织的联合体（关联交易方除外）")]
    assert (1, "申报程序") in got and (1, "业务咨询") in got


def test_same_style_list_restarting_under_a_heading_item_nests():
    # 003: 5.科技惠民领域 followed by its own 1.-5. list
    _, nodes = corpus_outline("003_b20fb3b92bb753f0")
    i = next(k for k, n in enumerate(nodes) if n.title == "科技惠民领域")
    child = nodes[i + 1]
    assert child.title == "智慧医疗技术领域" and child.parent == i


def test_annexes_reset_to_the_top():
    _, nodes = corpus_outline("002_1d24a9c214daa895")
    annexes = [n for n in nodes if n.style == "annex"]
    assert [n.marker for n in annexes] == ["附件1", "附件2", "附件3", "附件4", "附件5"]
    assert all(n.level == 1 for n in annexes)
    first = nodes[nodes.index(annexes[0]) + 1]
    assert first.title == "2024年西宁市重大科技专项申报指南" and first.level == 2


def test_table_cells_are_not_headings():
    # 002's appended form: runs of short cell lines
    _, nodes = corpus_outline("002_1d24a9c214daa895")
    titles = {n.title for n in nodes}
    assert "单位名称" not in titles and "注册地址" not in titles


def test_section_spans_cover_their_text():
    text, nodes = corpus_outline("000_8708816bca33718b")
    major = next(n for n in nodes if n.title == "科技重大专项")
    section = text[major.start:major.end]
    assert section.startswith("科技重大专项\n1、 支持方向")
    assert section.endswith("联系电话：0990-6242605")
    assert "科技成果转化基金" not in section


@pytest.mark.parametrize("line,style,value,title", [
    ("（三）申报条件", "cn_paren", 3, "申报条件"),
    ("十二、项目经费预算", "cn_dun", 12, "项目经费预算"),
    ("（1） 信息技术：基于云计算及大数据相结合的规模化服务平台", "num_paren", 1, "信息技术"),
    ("2. 具有良好的科研道德和社会诚信，近三年内无严重失信记录", "num_dot", 2, "具有良好的科研道德和社会诚信"),
    ("③ 新材料", "circled", 3, "新材料"),
    ("第十二条 申报单位应当具备以下条件：", "article", 12, "申报单位应当具备以下条件"),
])
def test_numbered_line_parts(line, style, value, title):
    st, marker, v, rest = match_numbered(line)
    assert (st["id"], v, clause_title(line[rest:])) == (style, value, title)


def test_run_in_titled_items_under_a_bare_heading_are_its_sections():
    # d10: `方向14 …稳运行奖励。` has no text of its own; the two lines under it each open with a title
    raw = ("方向14 工业和软件信息服务业企业一季度稳运行奖励。\n"
           "工业企业稳运行奖励。对 2023 年一季度产值净增量 2 亿元（含）以上的工业企业分档奖励，奖励金额最高不超过 600 万元。\n"
           "软件信息服务业企业稳运行奖励。对 2023 年 1-2 月营业收入净增量 6 亿元（含）以上的软件信息服务业企业分档奖励。\n"
           "方向15 重点投资项目贷款贴息。对获得银行流动资金贷款的产业链龙头企业，按不超过 1%的贴息率给予贴息。\n")
    assert outline(raw) == [(1, "工业和软件信息服务业企业一季度稳运行奖励"), (2, "工业企业稳运行奖励"),
                            (2, "软件信息服务业企业稳运行奖励"), (1, "重点投资项目贷款贴息")]


@pytest.mark.parametrize("raw,expected", [
    # one such line is a first sentence, not a section
    ("（一）面上项目。\n产业化环境建设项目。择优给予国拨经费支持。\n（二）重大项目。\n",
     [(1, "面上项目"), (1, "重大项目")]),
    # under a heading that says something itself, the lines are its text
    ("（一）支持方式。择优给予支持，具体如下。\n工业企业。对产值增长的企业给予奖励。\n软件企业。对收入增长的企业给予奖励。\n",
     [(1, "支持方式")]),
])
def test_a_short_first_sentence_is_not_a_run_in_title(raw, expected):
    assert outline(raw) == expected
