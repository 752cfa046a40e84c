"""The one boundary rule for text: what every field refuses, what it cleans, and the output guard."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from matchmaker.core.text import TextError, clean_text, scrub_text, xml_safe


@pytest.mark.parametrize(
    "bad", ["\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "\x9f", "\ud800", "\uffff"]
)
@pytest.mark.parametrize("multiline", [False, True])
def test_control_characters_nul_and_surrogates_are_refused_naming_the_position(
    bad: str, multiline: bool
) -> None:
    with pytest.raises(TextError, match=r"第 3 个字符.*U\+[0-9A-F]{4}.*character 3"):
        clean_text("南宁" + bad + "高新区", multiline=multiline, label="园区名称")
    with pytest.raises(TextError, match="^园区名称："):
        clean_text(bad, multiline=multiline, label="园区名称")


def test_single_line_fields_fold_breaks_and_drop_invisible_characters() -> None:
    assert clean_text("柳州\t汽车\r\n产业园") == "柳州 汽车 产业园"
    assert clean_text("\u202e南宁\u200b高新区\ufeff") == "南宁高新区"
    assert clean_text("cafe\u0301") == "café", "NFC"


def test_multi_line_fields_keep_tab_and_newline_and_normalise_cr() -> None:
    assert clean_text("一、背景\r\n二、\t目标\r三", multiline=True) == "一、背景\n二、\t目标\n三"
    assert clean_text("按\u202e序\u200b显示", multiline=True) == "按序\u200b显示", (
        "bidi overrides go everywhere; zero-width characters only from single-line fields"
    )


def test_lenient_readers_remove_what_fields_refuse() -> None:
    assert scrub_text("划痕\x00检测\x01") == "划痕检测"
    assert scrub_text("a\x00\nb", multiline=True) == "a\nb"


def test_xml_guard_makes_any_text_parse() -> None:
    hostile = "园区\x01\x0b\ud800\ufffe名称 <&>"
    doc = f"<t>{xml_safe(hostile).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</t>"
    assert ET.fromstring(doc).text == "园区名称 <&>"
