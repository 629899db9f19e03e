"""The boundary's text check (``shequ.validation.check_characters``): every string anywhere in
a command's arguments, dict keys too, is refused if it holds a control character (C0 but tab,
line feed and carriage return; DEL; C1) or a lone surrogate; the error names the field path."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shequ.errors import ValidationError
from shequ.validation import check_characters

REFUSED = [chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]] + [
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
]


def refusal(value: Any, field: str = "") -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check_characters(value, field)
    return info.value


def test_ordinary_text_passes_whatever_its_script_or_layout() -> None:
    check_characters(
        {
            "name": "王某",
            "address": "立柱东村第1村民小组\t12号",
            "notes": "第一行\r\n第二行",
            "emoji": "👍🏽",
            "en": "Lizhu",
            "members": [{"name": "李示例", "age": 3, "ok": True, "x": None}],
            "nbsp": "\u00a0",
            "line_sep": "\u2028",
            "bom": "\ufeff",
        }
    )


@pytest.mark.parametrize("char", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_each_control_character_and_lone_surrogate_is_refused(char: str) -> None:
    err = refusal({"name": f"王{char}某"})
    assert (err.code, err.field) == ("invalid", "name")
    surrogate = 0xD800 <= ord(char) <= 0xDFFF
    assert err.details["rule"] == ("invalid_unicode" if surrogate else "control_character")
    assert err.details["character"] == f"U+{ord(char):04X}"
    # the error itself travels as JSON: none of its text may carry the refused character
    for text in (err.message_zh, err.message_en, err.field):
        text.encode("utf-8")
        assert char not in text


def test_the_field_path_names_nested_lists_dicts_and_keys() -> None:
    members = [{"name": "甲"}, {"name": "乙"}, {"name": "丙\x00"}]
    assert refusal({"members": members}).field == "members[2].name"
    assert (
        refusal({"record": {"absentees": [{"name": "x"}, {"reason": "\x85"}]}}).field
        == "record.absentees[1].reason"
    )
    assert refusal(["ok", "b\x7f"], "commands").field == "commands[1]"
    assert refusal({"person_id": "a\x00"}, "actor").field == "actor.person_id"
    key = refusal({"record": {"na\x00me": "x"}})
    assert key.field == "record.na\\u0000me" and key.details["rule"] == "control_character"
    assert key.details["key"] is True
    assert refusal("\ud800", "title").field == "title"


def test_what_is_not_text_is_left_to_the_command_checks() -> None:
    check_characters(
        {
            "n": 1,
            "f": 1.5,
            "b": False,
            "none": None,
            3: "three",
            "nested": [[[]], {}],
            "t": ("a", "b"),
        }
    )


@given(st.text(alphabet=st.characters(codec=None, categories=("Cc", "Cs", "Lo", "Zs"))))
def test_a_string_passes_exactly_when_it_has_no_refused_character(text: str) -> None:
    clean = not any(c in REFUSED or 0xD800 <= ord(c) <= 0xDFFF for c in text)
    try:
        check_characters({"deep": [{"text": text}]})
    except ValidationError as err:
        assert not clean and err.field == "deep[0].text"
    else:
        assert clean
