"""Web pages keep their paragraphs as lines, nested content whole and the title once (issue 12.3)."""
from __future__ import annotations

from extractors.formats.html import read_html

HEAD = "<html><head><title>2022年度克拉玛依市科技计划储备项目申报指南</title></head><body>"
LINES = ["一、支持方向", "围绕石油石化、新能源等领域，支持关键技术攻关。", "二、资助形式", "以事前资助形式支持，单项资助额度 200-1000 万元。"]


def _text(markup: str) -> str:
    return read_html(markup.encode("utf-8"), "page.html").text


def test_flat_paragraphs_are_lines_and_the_title_is_not_repeated():
    page = HEAD + "<h1>2022年度克拉玛依市科技计划储备项目申报指南</h1>" + "".join(f"<p>{x}</p>" for x in LINES) + "</body></html>"
    text = _text(page)
    assert text.split("\n") == ["2022年度克拉玛依市科技计划储备项目申报指南", *LINES]


def test_br_separated_lines_stay_lines():
    assert _text(HEAD + "<div>" + "<br>".join(LINES) + "</div></body></html>").split("\n") == LINES


def test_layout_table_cell_keeps_its_paragraphs():
    page = HEAD + "<table><tr><td>" + "".join(f"<p>{x}</p>" for x in LINES) + "</td></tr></table></body></html>"
    assert _text(page).split("\n") == LINES


def test_data_table_row_is_one_line_with_cells_apart():
    page = (HEAD + "<p>三、联系方式</p><table><tr><td>联系人</td><td>电话</td></tr>"
            "<tr><td>徐玮 景毅</td><td>0990-6231723</td></tr></table></body></html>")
    assert _text(page).split("\n")[-2:] == ["联系人  电话", "徐玮 景毅  0990-6231723"]


def test_ten_thousand_nested_divisions_keep_every_paragraph():
    n = 10_000
    page = "<html><body>" + "".join(f"<div><p>第{i}项，支持金额{i}万元。</p>" for i in range(n)) + "</div>" * n + "</body></html>"
    got = read_html(page.encode("utf-8"), "deep.html")
    lines = got.text.split("\n")
    assert len(lines) == n and lines[-1] == f"第{n - 1}项，支持金额{n - 1}万元。"
    assert [i[0] for i in got.issues] == ["DEEP_NESTING"]


def test_site_chrome_before_the_title_is_dropped():
    menu = "<nav><ul>" + "".join(f"<li><a href='#'>{x}</a></li>" for x in ["首页", "政务公开", "研发费用加计扣除"]) + "</ul></nav>"
    body = "".join(f"<p>{x}</p>" for x in LINES * 3)
    page = HEAD + menu + f"<div class='content'><h1>2022年度克拉玛依市科技计划储备项目申报指南</h1>{body}</div></body></html>"
    text = _text(page)
    assert "政务公开" not in text and text.count("2022年度克拉玛依市科技计划储备项目申报指南") == 1
