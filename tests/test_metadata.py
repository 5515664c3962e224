"""Title, plan year, issuer and region rules on real guide lines."""
from __future__ import annotations

import pytest

from extractors.metadata import extract_meta, find_region, plan_year


def test_plan_year_not_issue_year():
    text = "2022年度克拉玛依市科技计划储备项目申报指南\n克拉玛依市科学技术局\n2021 年 10 月\n"
    m = extract_meta(text)
    assert (m.year, m.issuer, m.region.code) == (2022, "克拉玛依市科学技术局", "650200")


def test_year_from_body_when_title_has_none():
    assert plan_year("关于组织申报科技计划项目的通知", "现将2023年度市级科技计划项目申报工作通知如下") == 2023


def test_issuer_region_wins_over_places_named_in_the_text():
    text = "关于申报科技计划项目的通知\n西宁市科学技术局\n支持企业与武汉、南京、兰州、北京中关村等地建立科技创新中心。"
    assert extract_meta(text).region.name == "西宁市"


def test_region_from_title():
    m = extract_meta("乌鲁木齐市2024年度重点领域科技创新攻关项目“揭榜挂帅”需求征集申报指南\n为深入贯彻")
    assert (m.region.code, m.region.level) == ("650100", "city")


def test_many_cities_of_one_province_make_a_provincial_guide():
    text = ("项目申报单位应是在乌鲁木齐高新技术产业开发区、昌吉国家高新技术产业开发区、克拉玛依高新技术产业开发区、"
            "哈密高新技术产业开发区内注册的企业。须通过自治区科技厅网站进行网上申报。新疆科技项目服务中心可提供咨询。")
    place = find_region(text, "2025年两区科技发展计划项目申报指南", None)
    assert (place.name, place.level) == ("新疆维吾尔自治区", "province")


def test_city_mentioned_throughout_is_the_region():
    text = "市科技局深入贯彻国家、自治区科技计划管理体制改革精神。" + "各单位在研读《克拉玛依市科技计划项目管理办法》的基础上申报。" * 3
    assert find_region(text, "关于申报2017年市科技计划项目的通知", None).code == "650200"


def test_national_issuer():
    text = "国家重点研发计划项目申报指南\n科学技术部\n"
    m = extract_meta(text)
    assert (m.region.code, m.region.level) == ("100000", "national")


@pytest.mark.parametrize("text", ["", "没有地名的文字"])
def test_unknown_region_is_none(text):
    assert find_region(text, "申报指南", None) is None


def test_a_repost_tag_is_not_part_of_the_title():
    from extractors.metadata import extract_meta

    m = extract_meta("【市级】关于组织申报2024年科技计划项目的通知\n各有关单位：\n")
    assert (m.title, m.year) == ("关于组织申报2024年科技计划项目的通知", 2024)


def test_a_signature_date_does_not_join_the_title_after_it():
    from extractors.metadata import extract_meta
    from extractors.normalize import normalize

    text = normalize("关于印发《黄浦区中小微企业贷款贴息支持办法》的通知\n黄浦区发展和改革委员会\n2026年6月2日\n"
                     "黄浦区中小微企业贷款贴息支持办法\n一、支持对象\n").text
    m = extract_meta(text)
    assert (m.issuer, str(m.issued)) == ("黄浦区发展和改革委员会", "2026-06-02")  # the record's year falls back to it


def test_one_city_named_with_a_city_body_is_the_region():
    from extractors.metadata import find_region

    text = "项目单位在东莞市内注册，项目实施地在广东境内。我省企业…本省企业…申报资料报送至市经信局技术进步与质量科。"
    assert find_region(text, "“机器人”专项资金企业转型升级申报条件及要求", None).code == "441900"


@pytest.mark.parametrize("text,found", [
    # longest name first: the district 克拉玛依区, not the city's short name 克拉玛依
    ("位于克拉玛依区的企业", [("克拉玛依区", "650203")]),
    # a name cut by the end of the text is still itself, not a longer name's prefix
    ("并确定一批适宜克拉玛依", [("克拉玛依", "650200")]),
    ("西宁市、海东市和天河区", [("西宁市", "630100"), ("海东市", "630200"), ("天河区", "440106")]),
])
def test_gazetteer_scan_finds_whole_names_longest_first(text, found):
    from extractors.gazetteer import load

    assert [(text[m.start:m.end], m.place.code) for m in load().scan(text)] == found
