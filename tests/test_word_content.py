"""Word content that python-docx's `paragraph.text` leaves out must reach the text (issue 12.1):
tracked insertions (not deletions), text boxes, nested tables, fields, content controls, smart tags,
custom XML; a main part named in _rels/.rels; bad attribute values tolerated; a lost-text check."""
from __future__ import annotations

import pytest

from extractors.document import extract_file
from extractors.errors import IngestError
from extractors.formats.docx import read_docx
from tests.wordml import p, package, r

FUNDING = "以事前资助形式支持，单项资助额度 200-1000 万元。"


def _read(tmp_path, body: str, **kw) -> str:
    f = tmp_path / "guide.docx"
    f.write_bytes(package(body, **kw))
    return read_docx(f)


@pytest.mark.parametrize("body", [
    # a tracked insertion, with a tracked deletion beside it that Word no longer shows
    f'<w:p>{r("以事前资助形式支持，")}<w:ins w:id="1" w:author="a">{r("单项资助额度 200-1000 万元。")}</w:ins>'
    '<w:del w:id="2" w:author="a"><w:r><w:delText>单项资助额度 100 万元。</w:delText></w:r></w:del></w:p>',
    # a simple field and a complex field's result
    f'<w:p>{r("以事前资助形式支持，")}<w:fldSimple w:instr=" MERGEFIELD x ">{r("单项资助额度 200-1000 万元。")}</w:fldSimple></w:p>',
    # inline content control, smart tag and custom XML around runs
    f'<w:p><w:sdt><w:sdtContent>{r("以事前资助形式支持，")}</w:sdtContent></w:sdt>'
    f'<w:smartTag w:uri="u" w:element="e">{r("单项资助额度 ")}</w:smartTag>'
    f'<w:customXml w:element="amount">{r("200-1000 万元。")}</w:customXml></w:p>',
    # a tracked move keeps the destination only
    f'<w:p><w:moveFrom w:id="3" w:author="a">{r("旧文字")}</w:moveFrom>'
    f'<w:moveTo w:id="4" w:author="a">{r(FUNDING)}</w:moveTo></w:p>',
])
def test_inline_wrappers_keep_their_text(tmp_path, body):
    got = _read(tmp_path, body)
    assert got.text == FUNDING
    assert not got.issues


def test_text_box_is_read_once_after_its_paragraph(tmp_path):
    box = f"<w:txbxContent>{p(FUNDING)}</w:txbxContent>"
    body = (p("四、资助形式") + '<w:p><w:r><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>'
            '</mc:AlternateContent></w:r></w:p>' + p("五、申报要求"))
    assert _read(tmp_path, body).text == f"四、资助形式\n{FUNDING}\n五、申报要求"


def test_nested_table_cell_is_read(tmp_path):
    inner = f"<w:tbl><w:tr><w:tc>{p('单项资助额度')}</w:tc><w:tc>{p('200-1000 万元')}</w:tc></w:tr></w:tbl>"
    body = f"<w:tbl><w:tr><w:tc>{p('重大科技专项')}</w:tc><w:tc>{inner}<w:p/></w:tc></w:tr></w:tbl>"
    assert _read(tmp_path, body).text == "重大科技专项  单项资助额度  200-1000 万元"


def test_vertically_merged_cell_repeats_in_each_row(tmp_path):
    def tc(text, merge=None):
        pr = f'<w:tcPr><w:vMerge w:val="{merge}"/></w:tcPr>' if merge == "restart" else \
            "<w:tcPr><w:vMerge/></w:tcPr>" if merge else ""
        return f"<w:tc>{pr}{p(text) if text else '<w:p/>'}</w:tc>"
    body = (f"<w:tbl><w:tr>{tc('种植业', 'restart')}{tc('水稻')}{tc('75%')}</w:tr>"
            f"<w:tr>{tc('', 'continue')}{tc('玉米')}{tc('75%')}</w:tr></w:tbl>")
    assert _read(tmp_path, body).text == "种植业  水稻  75%\n种植业  玉米  75%"


def test_block_level_content_control_and_custom_xml(tmp_path):
    body = (f"<w:sdt><w:sdtPr/><w:sdtContent>{p('四、资助形式')}</w:sdtContent></w:sdt>"
            f'<w:customXml w:element="x">{p(FUNDING)}</w:customXml>')
    assert _read(tmp_path, body).text == f"四、资助形式\n{FUNDING}"


def test_main_part_is_found_through_package_relationships(tmp_path):
    f = tmp_path / "main.docx"
    f.write_bytes(package(p("四、资助形式") + p(FUNDING), main="word/main.xml"))
    guide = extract_file(f, tmp_path)
    assert guide.text == f"四、资助形式\n{FUNDING}"


def test_main_part_named_but_absent_is_missing_part(tmp_path):
    import io
    import zipfile
    data = package(p(FUNDING), main="word/main.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != "word/main.xml":
                dst.writestr(info, src.read(info))
    f = tmp_path / "gone.docx"
    f.write_bytes(out.getvalue())
    with pytest.raises(IngestError) as err:
        read_docx(f)
    assert err.value.reason == "DOCX_MISSING_PART" and "word/main.xml" in err.value.message


LIST = ('<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>')


def _numbered(text: str, ilvl: str = "0") -> str:
    return (f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="1"/></w:numPr></w:pPr>'
            f"{r(text)}</w:p>")


def test_numbering_still_rendered(tmp_path):
    got = _read(tmp_path, _numbered("资助形式") + _numbered("申报要求"),
                numbering=LIST + '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    assert got.text == "一、资助形式\n二、申报要求"


@pytest.mark.parametrize("numbering,ilvl", [
    (LIST + '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>', "x"),         # w:ilvl="x"
    (LIST + '<w:num w:numId="1"/>', "0"),                                              # w:num without abstractNumId
    (LIST.replace('w:ilvl="0"', 'w:ilvl="zero"') + '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>', "0"),
])
def test_bad_numbering_values_are_tolerated(tmp_path, numbering, ilvl):
    got = _read(tmp_path, _numbered("资助形式", ilvl), numbering=numbering)
    assert got.text.endswith("资助形式")


def test_lost_text_is_flagged(tmp_path):
    # a run inside an element this reader does not know as a container of runs: math text (m:t is
    # not w:t) is not counted, but a w:t under a table grid is: Word text in an unexpected place
    body = (p(FUNDING) + '<w:tbl><w:tblGrid><w:gridCol w:w="1"/></w:tblGrid>'
            f'<w:tr><w:trPr>{r("藏起来的文字")}</w:trPr><w:tc>{p("单元格")}</w:tc></w:tr></w:tbl>')
    got = _read(tmp_path, body)
    lost = [i for i in got.issues if i[0] == "DOCX_TEXT_LOST"]
    assert lost and lost[0][1].startswith("6 of ")
