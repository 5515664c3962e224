"""The spaCy pipeline (blank zh + jieba + zhinan_entities) on real guide lines."""
from __future__ import annotations

import pytest

from extractors.nlp import build_nlp, entities_of


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(area_code="0971")


def ents(nlp, text):
    return [(e.text, e.label_, e._.value) for e in nlp(text).ents]


def test_contact_line_people_and_phone(nlp):
    assert ents(nlp, "市科技局高新科：冶启元 李  雪  8230515") == [
        ("市科技局", "ORG", None), ("高新科", "ORG", None), ("冶启元", "PERSON", "冶启元"),
        ("李  雪", "PERSON", "李雪"), ("8230515", "PHONE", "0971-8230515")]


def test_minority_name_with_middle_dot(nlp):
    assert ("来丽拉·加那尔", "PERSON", "来丽拉·加那尔") in ents(nlp, "冯峥宇  来丽拉·加那尔  0991-2824158")


def test_money_crossing_word_boundaries(nlp):
    assert ents(nlp, "主要以无偿资助、股权投资形式支持，单项资助额度为200-1000万元。") == [
        ("200-1000万元", "MONEY", "2000000..10000000")]


def test_place_url_and_dates(nlp):
    got = ents(nlp, "各项目申报单位登录西宁市科技计划项目管理系统注册并登录申报（网址：http://223.220.252.167:8018/）。")
    assert ("西宁市", "GPE", "630100") in got and ("http://223.220.252.167:8018/", "URL", "http://223.220.252.167:8018/") in got
    got = ents(nlp, "本次项目集中申报时间为：2023年5月15日上午9:00至2023年7月14日下午17:00")
    assert [g[1] for g in got] == ["DATE", "DATE"]


def test_whole_guide_offsets_point_into_the_text(nlp, records):
    g = records["004_f341f958e9ff6538"]
    found = entities_of(nlp, g.text)
    people = [e for e in found if e.label == "PERSON"]
    assert [g.text[e.start:e.end] for e in people] == ["冯峥宇", "来丽拉·加那尔", "范小燕", "杜盼盼", "范振九", "刘福林"]
    assert {e.label for e in found} >= {"PERSON", "PHONE", "GPE", "MONEY", "DATE", "URL"}


def test_pipeline_has_the_jieba_segmenter_and_component(nlp):
    assert nlp.pipe_names == ["zhinan_entities"]
    assert [t.text for t in nlp("科技重大专项")][:1] != ["科技重大专项"[0]]
