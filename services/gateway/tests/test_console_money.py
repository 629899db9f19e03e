"""The console's money helpers: yuan shown from fen, yuan typed read exactly into fen (or
refused naming the field), and the entry form's rows read as voucher lines with their balance."""

from __future__ import annotations

import pytest
from gateway.console.money import balance, fen_of, form_lines, yuan
from shequ.errors import ValidationError


def test_fen_shown_as_yuan_with_thousands_and_two_places() -> None:
    assert [yuan(x) for x in (0, 5, 120_050, 1_234_567_89, -1_200_50)] == [
        "0.00",
        "0.05",
        "1,200.50",
        "1,234,567.89",
        "-1,200.50",
    ]


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("1200", 120_000), ("1,200.5", 120_050), ("0.01", 1), ("１２", 1200), (" 3.10 ", 310)],
)
def test_yuan_typed_read_exactly_full_width_digits_too(typed: str, fen: int | None) -> None:
    if fen is None:
        with pytest.raises(ValidationError):
            fen_of(typed, "x")
    else:
        assert fen_of(typed, "x") == fen


@pytest.mark.parametrize("typed", ["", "0", "0.00", "-5", "12.345", "1e3", "1,20.00", "abc"])
def test_what_is_no_amount_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationError) as info:
        fen_of(typed, "lines.2.amount_fen")
    assert info.value.field == "lines.2.amount_fen"
    assert info.value.message_zh and info.value.message_en


def test_form_rows_become_lines_blank_rows_skipped_bad_ones_named() -> None:
    read = form_lines(
        ["513", "", "102", ""],
        ["debit", "debit", "credit", "credit"],
        ["1,200.50", "", "1200", "7"],
        ["办公用品", "", "", ""],
    )
    assert read.lines[:2] == [
        {"account": "513", "side": "debit", "amount_fen": 120_050, "memo": "办公用品"},
        {"account": "102", "side": "credit", "amount_fen": 120_000},
    ]
    assert sorted(read.errors) == ["lines.2.account"]  # a row with an amount but no account
    two = balance(read.lines[:2])
    assert (two.debit_fen, two.credit_fen, two.difference_fen, two.balanced) == (
        120_050,
        120_000,
        50,
        False,
    )
    even = balance([*read.lines[:1], {"side": "credit", "amount_fen": 120_050}])
    assert even.balanced and even.difference_fen == 0
    assert not balance(read.lines[:1]).balanced  # one line never balances (F20)


def test_a_rows_counterparty_and_contract_go_with_its_line() -> None:
    read = form_lines(
        ["112", "501", ""],
        ["debit", "credit", "debit"],
        ["300", "300", ""],
        ["", "", ""],
        {"counterparty_id": ["cp-1", "", ""], "contract_no": [" HT-2026-01 ", "", "HT-9"]},
    )
    assert read.lines[:2] == [
        {
            "account": "112",
            "side": "debit",
            "amount_fen": 30_000,
            "counterparty_id": "cp-1",
            "contract_no": "HT-2026-01",
        },
        {"account": "501", "side": "credit", "amount_fen": 30_000},
    ]
    assert sorted(read.errors) == ["lines.2.account", "lines.2.amount_fen"]  # a contract alone
