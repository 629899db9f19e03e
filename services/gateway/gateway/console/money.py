"""Money on the console: whole fen (分) inside, yuan (元) on the page.

What a person types as yuan is read exactly (``decimal``, never a float): at most two places
after the point, thousands commas allowed, positive; anything else is refused naming the
field. The balance of a voucher's lines (Σ debit against Σ credit, F20) is computed here, on
the server, for the entry form's live check; the finance service checks it again on drafting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shequ.errors import ValidationError

YUAN = re.compile(r"^\d{1,3}(,\d{3})*(\.\d{1,2})?$|^\d+(\.\d{1,2})?$")
MAX_FEN = 10**13  # the finance service's bound on a line's amount


def yuan(fen: int) -> str:
    """Fen as yuan with thousands commas and two places: 1234567 -> "12,345.67"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def fen_of(text: str, field: str) -> int:
    """The fen of an amount typed in yuan ("1,200.5" -> 120050), or a refusal naming
    ``field``: a positive amount with at most two decimal places."""
    cleaned = text.strip().replace("，", ",").replace("．", ".")
    if not YUAN.match(cleaned):
        raise ValidationError(
            "金额须为正数（元），最多两位小数",
            "the amount is a positive number of yuan with at most two decimals",
            field,
            rule="amount",
        )
    try:
        fen = int(Decimal(cleaned.replace(",", "")) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValidationError("金额无法识别", "the amount is unreadable", field) from None
    if not 0 < fen <= MAX_FEN:
        raise ValidationError(
            "金额须大于 0 且不超过 1000 亿元",
            "the amount is over 0 and at most 100,000,000,000 yuan",
            field,
            rule="amount",
        )
    return fen


@dataclass(frozen=True)
class Balance:
    """Σ debit and Σ credit of a voucher's lines, in fen, and what tells them apart."""

    debit_fen: int
    credit_fen: int
    lines: int

    @property
    def difference_fen(self) -> int:
        return self.debit_fen - self.credit_fen

    @property
    def balanced(self) -> bool:
        """F20: debits equal credits, over at least two lines."""
        return self.lines >= 2 and self.difference_fen == 0 and self.debit_fen > 0


def balance(lines: Iterable[Mapping[str, Any]]) -> Balance:
    debit = credit = count = 0
    for line in lines:
        count += 1
        if line["side"] == "debit":
            debit += line["amount_fen"]
        else:
            credit += line["amount_fen"]
    return Balance(debit, credit, count)


@dataclass(frozen=True)
class Lines:
    """The lines of the entry form as the finance service takes them, what each row's fields
    said wrong (field -> error), and the balance of the rows that read."""

    lines: list[dict[str, Any]]
    errors: dict[str, ValidationError]

    @property
    def balance(self) -> Balance:
        return balance(self.lines)


# the optional fields of a line the entry form sends, each a list in row order
LINE_OPTIONAL = ("counterparty_id", "contract_no")


def form_lines(
    accounts: Sequence[str],
    sides: Sequence[str],
    amounts: Sequence[str],
    memos: Sequence[str],
    optional: Mapping[str, Sequence[str]] | None = None,
) -> Lines:
    """The entry form's rows (``account``, ``side``, ``amount`` in yuan, ``memo``, and the
    ``optional`` fields by name — a line's counterparty and contract — each a list in row
    order) as voucher lines; a row left blank is skipped, a row half filled is an error on its
    field (``lines.N.amount``, ``lines.N.account``, as the service names them)."""
    lines: list[dict[str, Any]] = []
    errors: dict[str, ValidationError] = {}
    for i, account in enumerate(accounts):
        side = sides[i] if i < len(sides) else "debit"
        amount = amounts[i].strip() if i < len(amounts) else ""
        memo = memos[i].strip() if i < len(memos) else ""
        extra = {
            name: values[i].strip()
            for name, values in (optional or {}).items()
            if i < len(values) and values[i].strip()
        }
        if not account.strip() and not amount and not memo and not extra:
            continue
        n = len(lines)
        if not account.strip():
            errors[f"lines.{n}.account"] = ValidationError(
                "请填写会计科目代码", "give the account's code", f"lines.{n}.account"
            )
        try:
            fen = fen_of(amount, f"lines.{n}.amount_fen")
        except ValidationError as exc:
            errors[f"lines.{n}.amount_fen"] = exc
            fen = 0
        line: dict[str, Any] = {"account": account.strip(), "side": side, "amount_fen": fen}
        if memo:
            line["memo"] = memo
        lines.append({**line, **extra})
    return Lines(lines, errors)
