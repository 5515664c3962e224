"""Deadlines and channels from real guide sentences."""
from __future__ import annotations

import pytest

from extractors.deadlines import extract_channels, extract_deadlines
from extractors.normalize import normalize


def deadlines(text, year=None):
    t = normalize(text).text
    return [(d.kind, d.at) for d in extract_deadlines(t, year)]


@pytest.mark.parametrize("text,year,expected", [
    ("本次项目集中申报时间为：2023年5月15日上午9：00至2023年7月14日下午17：00，在集中申报时间内提交的项目将于2023年8月集中出库",
     None, [("submission_open", "2023-05-15T09:00"), ("submission_close", "2023-07-14T17:00")]),
    ("项目申报材料提交于6月15日18:00截止。", 2017, [("submission_close", "2017-06-15T18:00")]),
    ("预计6月19日完成形式审查，6月21日完成技术初评，6月23日完成部门联审，6月30日前完成综合评审，7月中旬下达项目计划。", 2017,
     [("review", "2017-06-19"), ("review", "2017-06-21"), ("review", "2017-06-23"), ("review", "2017-06-30")]),
    ("网上在线填报申报时间为2024年8月1日10：00—2024年 8月30日19：30；", None,
     [("submission_open", "2024-08-01T10:00"), ("submission_close", "2024-08-30T19:30")]),
    ("做好审核推荐，推荐截止时间为2024年9月2日24：00；", None, [("recommendation_close", "2024-09-02T23:59:59")]),
    ("项目负责人为申报单位在职人员，六十周岁以下（1962 年 1 月 1 日以后出生）", None, []),
    ("2016 年 1 月 1 日以后授权的发明专利", None, []),
    ("项目申报材料提交于6月15日18:00截止。", None, []),  # no year known: no guess
    ("申报截止时间：2024年5月31日17:00。", None, [("submission_close", "2024-05-31T17:00")]),
    ("网上申报截止日期：2024-05-31。", None, [("submission_close", "2024-05-31")]),
], ids=lambda v: v[:20] if isinstance(v, str) else str(v))
def test_deadlines(text, year, expected):
    assert deadlines(text, year) == expected


def test_channels_name_and_url():
    text = "1.通过“乌鲁木齐市科技计划项目统一申报管理平台”（ http://124.117.238.98:8001/）线上申报技术攻关和成果转化需求。"
    (ch,) = extract_channels(text)
    assert (ch.name, ch.url) == ("乌鲁木齐市科技计划项目统一申报管理平台", "http://124.117.238.98:8001/")
    assert "统一申报管理平台" in text[ch.start:ch.end] and text[ch.start:ch.end].endswith("8001/")


def test_unquoted_system_name():
    text = "（一）各项目申报单位登录西宁市科技计划项目管理系统注册并登录申报（网址：http://223.220.252.167:8018/）。"
    (ch,) = extract_channels(text)
    assert (ch.name, ch.url) == ("西宁市科技计划项目管理系统", "http://223.220.252.167:8018/")
