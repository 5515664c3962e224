"""Normalisation of real guide text: artefacts out, broken lines re-joined, offsets kept."""
from __future__ import annotations

import pytest

from extractors.normalize import normalize
from tests.conftest import CORPUS, STEMS


def lines(text: str) -> list[str]:
    return normalize(text).text.split("\n")


def test_word_bookmarks_are_removed():
    raw = "[bookmark: _Toc3172][bookmark: _Toc15393][bookmark: _Toc21636]一、支持方向\n"
    assert lines(raw) == ["一、支持方向"]


def test_title_broken_across_two_lines_is_rejoined():
    raw = (" 关于印发2024年西宁市科技计划项目\n申报指南的通知\n\n各有关单位：\n")
    assert lines(raw) == ["关于印发2024年西宁市科技计划项目申报指南的通知", "各有关单位："]


def test_enumerated_items_stay_separate():
    raw = "（1） 项目入库申请。各单位下载样本。\n\n（2） 项目入库推荐。申报单位提交项目建议书后\n"
    assert lines(raw) == ["（1） 项目入库申请。各单位下载样本。", "（2） 项目入库推荐。申报单位提交项目建议书后"]


def test_fullwidth_digits_and_number_punctuation_are_folded():
    raw = "申报时间为２０２４年８月１日１０：００—２０２４年８月３０日１９：３０，电话0571－87054322，占比８０％。\n"
    assert lines(raw) == ["申报时间为2024年8月1日10:00—2024年8月30日19:30，电话0571-87054322，占比80%。"]


def test_chinese_colon_between_words_is_kept():
    assert lines("联系人：董茹\n") == ["联系人：董茹"]


@pytest.fixture(scope="module")
def sample_003():
    raw = (CORPUS / "003_b20fb3b92bb753f0.txt").read_text(encoding="utf-8")
    return raw, normalize(raw)


def test_pdf_text_page_numbers_and_toc_are_dropped(sample_003):
    _, n = sample_003
    first = n.text.split("\n")[:4]
    assert first == ["2022年度克拉玛依市科技计划储备项目申报指南", "克拉玛依市科学技术局", "2021 年 10 月",
                     "2022 年度市级科技计划储备项目申报须知"]
    assert ("toc_entry", "重点研发计划项目申报指南..................................................................................................................10") in n.dropped
    assert "目 录" not in n.text and "ctrl" not in n.text


def test_pdf_text_wrapped_lines_are_rejoined(sample_003):
    _, n = sample_003
    assert ("（一）项目申报单位应为在克拉玛依市境内注册、具有独立法人资格的企事业单位或克拉玛依市以外的"
            "事业单位性质的高等院校和科研机构（对外开放项目）；") in n.text.split("\n")
    # a line broken at a page break, the next page starting with a space
    assert "（七）申报条件另有要求的，以具体项目申报指南有关要求为准。" in n.text.split("\n")
    # a heading after a full-width last line is not glued onto it
    assert "技术创新引导计划项目申报指南" in n.text.split("\n")


@pytest.mark.parametrize("stem", STEMS)
def test_offsets_point_at_the_source_characters(stem):
    raw = (CORPUS / f"{stem}.txt").read_text(encoding="utf-8")
    n = normalize(raw)
    assert len(n.offsets) == len(n.text)
    for i, ch in enumerate(n.text):
        src = n.offsets[i]
        if src < 0:
            assert ch == "\n"
        else:
            folded = raw[src].translate({ord("："): ":", ord("－"): "-", ord("．"): ".", ord("％"): "%",
                                         ord("／"): "/", ord("，"): ","})
            assert ch in (raw[src], folded), (i, ch, raw[src])
    # runs reproduce the same mapping, each as long as it can be
    for a, b, length in n.runs():
        assert list(n.offsets[a:a + length]) == list(range(b, b + length))
    assert n.runs() == _runs_one_by_one(n.offsets)


def _runs_one_by_one(offsets) -> list[list[int]]:
    out: list[list[int]] = []
    for i, src in enumerate(offsets):
        if src < 0:
            continue
        if out and out[-1][0] + out[-1][2] == i and out[-1][1] + out[-1][2] == src:
            out[-1][2] += 1
        else:
            out.append([i, src, 1])
    return out


@pytest.mark.parametrize("offsets,runs", [
    ([], []),
    ([-1, -1], []),
    ([5, 6, 7, -1, 8, 9, 20, 21, 3], [[0, 5, 3], [4, 8, 2], [6, 20, 2], [8, 3, 1]]),
])
def test_runs_break_at_inserted_characters_and_jumps(offsets, runs):
    from array import array

    from extractors.normalize import Normalized

    assert Normalized("x" * len(offsets), array("l", offsets)).runs() == runs == _runs_one_by_one(offsets)


def test_source_span_maps_back_to_original_text(sample_003):
    raw, n = sample_003
    i = n.text.index("（六）项目总投入不少于 3000 万元")
    a, b = n.source_span(i, i + len("（六）项目总投入不少于 3000 万元"))
    assert raw[a:b] == "（六）项目总投入不少于 3000 万元"


def test_running_headers_next_to_page_breaks_are_dropped():
    page = "某市科技局文件\n（一）第一条内容，说明申报要求。\n（二）第二条内容。\n{n}\n"
    raw = "".join(page.format(n=k) for k in range(1, 5))
    n = normalize(raw)
    assert "某市科技局文件" not in n.text
    assert ("running_header", "某市科技局文件") in n.dropped


@pytest.mark.parametrize("mark", ["\u200b", "\u200e", "\u200f", "\ufeff", "\u00ad", "\u2060"])
def test_invisible_characters_at_line_starts_do_not_change_the_outline(mark):
    from extractors.document import guide_from_text

    src = (CORPUS / "003_b20fb3b92bb753f0.txt").read_text(encoding="utf-8")
    marked = guide_from_text("\n".join(mark + line for line in src.split("\n")))
    plain = guide_from_text(src)
    assert mark not in marked.text
    assert [p.name for p in marked.programs] == [p.name for p in plain.programs]
    assert len(marked.programs) == 6
    assert [s.title for s in marked.outline] == [s.title for s in plain.outline]


def test_normalize_is_idempotent_on_a_repeated_title_line():
    once = normalize("关于2024年科技项目\n关于2024年科技项目\n申报指南").text
    assert normalize(once).text == once
