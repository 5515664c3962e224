"""Contact blocks of real guides: names by contact-line grammar, phones normalised, grouping."""
from __future__ import annotations

import pytest

from extractors.contacts import is_person_name, parse_contact_lines, split_names, split_unit
from extractors.phones import find_phones


def contacts(block: str, area: str | None = None):
    lines, pos = [], 0
    for part in block.split("\n"):
        if part.strip():
            lines.append((pos, pos + len(part)))
        pos += len(part) + 1
    return [(c.org, c.department, c.names, c.phones) for c in parse_contact_lines(block, lines, area)]


@pytest.mark.parametrize("segment,names", [
    ("何梦瑶      李想        黄悦名", ["何梦瑶", "李想", "黄悦名"]),
    ("冶启元 李  雪", ["冶启元", "李雪"]),
    ("塔依尔·提依甫", ["塔依尔·提依甫"]),
    ("冯峥宇  来丽拉·加那尔", ["冯峥宇", "来丽拉·加那尔"]),
    ("徐玮 景毅", ["徐玮", "景毅"]),
    ("高新技术管理科", None),
    ("各计划归口科室", None),
])
def test_split_names(segment, names):
    assert split_names(segment) == names


@pytest.mark.parametrize("tok,ok", [("冶启元", True), ("景毅", True), ("项目", False), ("管理科", False), ("王", False)])
def test_person_name(tok, ok):
    assert is_person_name(tok) is ok


@pytest.mark.parametrize("line,area,phones", [
    ("联系电话：0990-6629656 6629660", None, ["0990-6629656", "0990-6629660"]),  # two phones, one area code
    ("0571－87054322", None, ["0571-87054322"]),  # full-width hyphen, after normalisation of the record text
    ("联系人：董茹 3922117", "0971", ["0971-3922117"]),  # local number takes the guide's area code
    ("联系电话：18709908404 15909901989 13999516336", None, ["18709908404", "15909901989", "13999516336"]),
    ("管理科室：高新技术与发展计划科（0971-8230515）", None, ["0971-8230515"]),
    ("2024年8月1日10:00—2024年 8月30日19:30", None, []),
])
def test_phones(line, area, phones):
    from extractors.normalize import normalize

    assert [p.number for p in find_phones(normalize(line).text, area)] == phones


@pytest.mark.parametrize("unit,expected", [
    ("市科技局高新技术管理科", ("市科技局", "高新技术管理科")),
    ("自治区科技厅科技援疆处", ("自治区科技厅", "科技援疆处")),
    ("市卫计委", ("市卫计委", None)),
    ("乌鲁木齐高新技术产业开发区（新市区）", (None, "乌鲁木齐高新技术产业开发区（新市区）")),
    ("克拉玛依天慧企业服务有限公司", ("克拉玛依天慧企业服务有限公司", None)),
])
def test_split_unit(unit, expected):
    assert split_unit(unit) == expected


def test_department_block_with_scope():
    block = "（1） 高新技术管理科：负责管理机电自动化、信息化、集输储运等领域项目。\n联 系 人：徐玮 景毅        \n联系电话：0990-6231723"
    lines, pos = [], 0
    for part in block.split("\n"):
        lines.append((pos, pos + len(part)))
        pos += len(part) + 1
    (c,) = parse_contact_lines(block, lines, None)
    assert (c.department, c.names, c.phones) == ("高新技术管理科", ["徐玮", "景毅"], ["0990-6231723"])
    assert c.scope == "负责管理机电自动化、信息化、集输储运等领域项目"
    assert block[c.start:c.end].startswith("（1） 高新技术管理科") and block[c.start:c.end].endswith("0990-6231723")


def test_name_phone_and_email_labels_on_one_line():
    assert contacts("联系人：张三，电话：0991-2345678，邮箱：kjj@example.com") == [(None, None, ["张三"], ["0991-2345678"])]
    block = "联系人及电话：李老师 0991-7654321"
    assert contacts(block) == [(None, None, ["李老师"], ["0991-7654321"])]


def test_parenthesised_department_in_the_names_line():
    got = contacts("（1） 市卫计委：负责医疗卫生领域项目\n联 系 人：（医政与医疗服务监管科）李文熙  袁仕龙\n联系电话：0990-6629656 6629660")
    assert got == [("市卫计委", "医政与医疗服务监管科", ["李文熙", "袁仕龙"], ["0990-6629656", "0990-6629660"])]


def test_two_people_of_one_office_each_with_a_phone():
    got = contacts("1.项目受理单位：西宁市科技创新促进中心\n联系人：董茹 3922117\n        韩蓉 3922115\n"
                   "地  址：西宁科技大市场（生物园区经四路22号生科创业园3期创新创业大厦二楼）", "0971")
    assert got == [("西宁市科技创新促进中心", None, ["董茹"], ["0971-3922117"]),
                   ("西宁市科技创新促进中心", None, ["韩蓉"], ["0971-3922115"])]


def test_units_with_phones_pair_with_names_by_position():
    got = contacts("管理科室：高新技术与发展计划科（0971-8230515）\n农村与社会科技发展科（0971-8230521）   \n联 系 人：冶启元    阿岩君")
    assert got == [(None, "高新技术与发展计划科", ["冶启元"], ["0971-8230515"]),
                   (None, "农村与社会科技发展科", ["阿岩君"], ["0971-8230521"])]


def test_unit_line_then_names_and_phone_line():
    got = contacts("科技局资源配置与管理科\n\n冯峥宇  来丽拉·加那尔  0991-2824158 \n\n科技局引进智力与人才服务科\n\n范小燕  0991-4656613")
    assert got == [("科技局", "资源配置与管理科", ["冯峥宇", "来丽拉·加那尔"], ["0991-2824158"]),
                   ("科技局", "引进智力与人才服务科", ["范小燕"], ["0991-4656613"])]


def test_office_with_names_and_phone_on_one_line():
    got = contacts("2.项目管理科室：\n市科技局高新科：冶启元 李  雪  8230515\n市科技局农社科：阿岩君 邱军成  8230521\n"
                   "3.监督投诉受理：\n市科技局办公室：8230519", "0971")
    assert got == [("市科技局", "高新科", ["冶启元", "李雪"], ["0971-8230515"]),
                   ("市科技局", "农社科", ["阿岩君", "邱军成"], ["0971-8230521"]),
                   ("市科技局", "办公室", [], ["0971-8230519"])]


@pytest.mark.parametrize("block,start", [
    ("联系人：（高新科）kjj@xj.gov.cn", 0),                     # only a unit and an e-mail: the span is this line
    ("上一行\n联系人：邮箱：kjj@xj.gov.cn", 0),                  # the e-mail's line is inside the contact's span
])
def test_a_contact_of_only_an_email_has_a_valid_span(block, start):
    lines, pos = [], 0
    for part in block.split("\n"):
        lines.append((pos, pos + len(part)))
        pos += len(part) + 1
    (c,) = parse_contact_lines(block, lines, None)
    assert c.emails == ["kjj@xj.gov.cn"] and 0 <= c.start == start < c.end == len(block)


@pytest.mark.parametrize("block,expected", [
    ("联系人及电话：张三 0531-82345678，李四 0531-87654321",
     [(None, None, ["张三"], ["0531-82345678"]), (None, None, ["李四"], ["0531-87654321"])]),
    ("联系电话：0531-82345678（张老师）", [(None, None, ["张老师"], ["0531-82345678"])]),
    ("市科技局高新处  刘洋  0531-82345678", [("市科技局", "高新处", ["刘洋"], ["0531-82345678"])]),
])
def test_person_and_phone_layouts_seen_in_other_guides(block, expected):
    assert contacts(block, "0531") == expected


def test_email_starts_where_the_address_does():
    # d02: `…电子版发送到邮箱982797326@qq.com。` — the Chinese before the address is not part of it
    from extractors.textspan import EMAIL

    line = "各地级以上市高新技术产品申报联系人请将《申报书》电子版发送到邮箱982797326@qq.com。"
    assert EMAIL.findall(line) == ["982797326@qq.com"]
    assert EMAIL.findall("电子邮箱分别为cstc-robot@cstc.org.cn、njhkjc@agri.gov.cn") == [
        "cstc-robot@cstc.org.cn", "njhkjc@agri.gov.cn"]
