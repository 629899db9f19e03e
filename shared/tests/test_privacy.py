"""Masking (RULES §6) and boundary validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shequ import privacy
from shequ.errors import ValidationError
from shequ.validation import check_date, check_id_number, check_phone, check_uuid, require_text

MASKS = [
    privacy.mask_phone,
    privacy.mask_id_number,
    privacy.mask_name,
    privacy.mask_bank_card,
    privacy.mask_address,
]


def test_examples_from_the_rules() -> None:
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_name("张三丰") == "张**"
    assert privacy.mask_name("张三") == "张*"
    assert privacy.mask_id_number("370785198001010019") == "370785********0019"
    assert privacy.mask_bank_card("6222021234567890123") == "622202*********0123"
    assert privacy.mask_phone("0536-1234567") == "0536-***4567"


def test_id_number_never_shows_the_birth_date() -> None:
    masked = privacy.mask_id_number("370785198001010019")
    assert "19800101" not in masked and masked[6:14] == "*" * 8


@pytest.mark.parametrize(
    "address,expected",
    [
        ("立柱东村第1村民小组12号", "立柱东村第1村民小组***"),
        ("立柱东村三组王家胡同5号", "立柱东村三组******"),
        ("立柱社区东王村12号", "立柱社区东王村***"),
        ("某路88号", "某****"),
    ],
)
def test_address_kept_down_to_the_villager_group(address: str, expected: str) -> None:
    assert privacy.mask_address(address) == expected


@pytest.mark.parametrize("mask", MASKS)
@given(text=st.text(max_size=40))
def test_every_mask_keeps_the_length_and_is_idempotent(mask, text: str) -> None:  # type: ignore[no-untyped-def]
    masked = mask(text)
    assert len(masked) == len(text)
    assert mask(masked) == masked


@given(digits=st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_phone_mask_hides_the_middle(digits: str) -> None:
    phone = "139" + digits
    masked = privacy.mask_phone(phone)
    assert masked[:3] == "139" and masked[-4:] == phone[-4:] and masked[3:7] == "****"


def _code(fn, *args) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        fn(*args)
    return info.value.field, info.value.details["rule"]


def test_id_number_rules() -> None:
    assert check_id_number("370785198001010019 ", "id") == "370785198001010019"
    assert _code(check_id_number, "37078519800101001", "id") == ("id", "id.format")
    assert _code(check_id_number, "370785198001010018", "id") == ("id", "id.checksum")
    body = "37078519801301001"  # month 13
    from stdnum.cn import ric

    assert _code(check_id_number, body + ric.calc_check_digit(body + "0"), "id") == (
        "id",
        "id.birth_date",
    )
    body = "99078519800101001"
    assert _code(check_id_number, body + ric.calc_check_digit(body + "0"), "id") == (
        "id",
        "id.region",
    )


@pytest.mark.parametrize("phone", ["13812345678", "19912345678", "0536-1234567", "010-12345678"])
def test_phones_accepted(phone: str) -> None:
    assert check_phone(phone, "phone") == phone


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "536-1234567", "abc", None])
def test_phones_refused(phone: str) -> None:
    assert _code(check_phone, phone, "phone") == ("phone", "phone.format")


def test_text_date_uuid() -> None:
    assert require_text(" 张三 ", "name", "姓名", 5) == "张三"
    assert _code(require_text, " ", "name", "姓名", 5) == ("name", "text.required")
    assert _code(require_text, "x" * 6, "name", "姓名", 5) == ("name", "text.too_long")
    assert check_date("2024-02-29", "d") == "2024-02-29"
    assert _code(check_date, "2023-02-29", "d") == ("d", "date.format")
    assert _code(check_uuid, "nope", "id") == ("id", "id.uuid")
