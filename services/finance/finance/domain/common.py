"""What every finance aggregate shares: ids, refusals with the finance codes, money in fen.

Pure: standard library, shequ.errors and shequ.domainkit only. Dates are ISO ``YYYY-MM-DD``
text decided by the application; amounts are integer fen (分) everywhere, never floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shequ.domainkit import Ids
from shequ.errors import RuleViolation

ActorDict = dict[str, Any]

IDS = Ids("finance")
natural_id = IDS.natural_id
key_id = IDS.key_id


@dataclass
class Numbered:
    """What a village's record under its own number (a contract, a construction project) is
    first recorded with: the village, the number and the terms as decided, and who recorded it.
    A base of aggregates, so its fields are their first event's attributes."""

    village_id: str
    number: str
    terms: dict[str, Any]
    actor: ActorDict


def refuse(code: str, zh: str, en: str, field: str | None = None, **details: Any) -> RuleViolation:
    """A refusal under one of the finance rules, by its own code (``voucher.unbalanced``…)."""
    return RuleViolation(zh, en, field, code=code, details=details or None)


def yuan(fen: int, grouped: bool = True) -> str:
    """Fen as yuan with two decimals, the one way finance writes money for people: with
    thousands separators in messages (1234567 -> '12,345.67'), without them (``grouped``
    false: '12345.67') as the decimal text of documents' amount columns."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}" if grouped else f"{sign}{whole}.{cents:02d}"


def period_of(day: str) -> str:
    """The accounting month (会计期间) of a date: '2026-03-14' -> '2026-03'."""
    return day[:7]
