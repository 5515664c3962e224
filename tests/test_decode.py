"""Decoding order of BAD_INPUTS.md, on a real guide sentence."""
from __future__ import annotations

import codecs

import pytest

from extractors.decode import decode_bytes
from extractors.errors import IngestError

SENTENCE = "关于申报2017年市科技计划项目的通知\n各区科技局，各有关单位：\n项目申报材料提交于6月15日18:00截止。\n"


@pytest.mark.parametrize("data,encoding", [
    pytest.param(SENTENCE.encode("utf-8"), "utf-8", id="utf-8"),
    pytest.param(codecs.BOM_UTF8 + SENTENCE.encode("utf-8"), "utf-8-sig", id="utf-8-bom"),
    pytest.param(SENTENCE.encode("gb18030"), "gb18030", id="gb18030"),
    pytest.param(SENTENCE.encode("gbk"), "gb18030", id="gbk-read-as-superset"),
    pytest.param(SENTENCE.encode("utf-16"), "utf-16", id="utf-16-bom"),
    pytest.param(SENTENCE.encode("utf-16-le"), "utf-16-le", id="utf-16-le-no-bom"),
    pytest.param(SENTENCE.encode("utf-16-be"), "utf-16-be", id="utf-16-be-no-bom"),
    pytest.param(SENTENCE.encode("utf-32"), "utf-32", id="utf-32-bom"),
])
def test_decodes_and_names_the_encoding(data, encoding):
    d = decode_bytes(data)
    assert d.text == SENTENCE
    assert d.encoding == encoding


def test_big5_text_is_detected_after_strict_decoders_fail():
    trad = "關於申報科技計劃項目的通知。各區科技局，各有關單位：項目申報材料提交截止。" * 4
    d = decode_bytes(trad.encode("big5"))
    assert d.text == trad
    assert d.encoding == "big5"


@pytest.mark.parametrize("data,reason", [
    pytest.param(b"", "EMPTY_FILE", id="empty"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "BINARY_AS_TEXT", id="binary"),
    pytest.param(SENTENCE.encode("utf-8") + SENTENCE.encode("gbk"), "ENCODING_MIXED", id="utf8-and-gbk"),
])
def test_bad_text_gets_a_reason(data, reason):
    with pytest.raises(IngestError) as exc:
        decode_bytes(data, "x.txt")
    assert exc.value.reason == reason
    assert "x.txt" in str(exc.value) or reason == "ENCODING_MIXED"


def test_very_short_non_utf8_text_is_flagged_ambiguous():
    d = decode_bytes("项目指南".encode("gbk"))
    assert d.text == "项目指南"
    assert d.warnings == ["ENCODING_AMBIGUOUS"]


def _corpus_texts():
    from tests.conftest import CORPUS, STEMS

    return [(stem, (CORPUS / f"{stem}.txt").read_text(encoding="utf-8")) for stem in STEMS]


@pytest.mark.parametrize("encoding,expected", [("gb18030", "gb18030"), ("utf-16-le", "utf-16-le"),
                                               ("utf-16-be", "utf-16-be"), ("utf-8-sig", "utf-8-sig")])
@pytest.mark.parametrize("stem,text", _corpus_texts(), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_every_corpus_guide_round_trips(stem, text, encoding, expected):
    d = decode_bytes(text.encode(encoding), stem)
    assert d.encoding == expected
    assert d.text == text


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_pure_chinese_utf16_without_bom(enc):
    # no ASCII, so no NUL bytes: the signature is what the decoded text is (issue 12.4)
    text = "关于申报二〇二四年度科技计划项目的通知，各有关单位：根据工作安排，现将有关事项通知如下。"
    got = decode_bytes(text.encode(enc), "guide.txt")
    assert (got.text, got.encoding) == (text, enc)


def test_gb18030_is_not_taken_for_utf16():
    text = "关于申报二〇二四年度科技计划项目的通知，各有关单位：根据工作安排。"
    assert decode_bytes(text.encode("gb18030"), "guide.txt").encoding == "gb18030"
