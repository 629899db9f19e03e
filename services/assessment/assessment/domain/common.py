"""What every assessment aggregate shares: rule violations, ids, periods, exact numbers.

Pure: standard library, shequ.errors and shequ.domainkit only.
Dates travel as ISO ``YYYY-MM-DD`` text; numbers
that are scores travel as decimal text (``"12.50"``) so that stored events never hold floats.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from shequ.domainkit import Ids, violation

IDS = Ids("assessment")
natural_id = IDS.natural_id
key_id = IDS.key_id

PERIOD_KINDS = {"month": "月度", "quarter": "季度", "half": "半年", "year": "年度"}
SUBJECT_KINDS = {"community": "社区", "team": "社区服务队"}
SECTIONS = {"key_work": "重点工作", "daily": "日常管理", "service": "为民服务"}
CENT = Decimal("0.01")
MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def dec(value: Any) -> Decimal:
    """An exact decimal from text, an int or a Decimal (never a float's binary noise)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (bool, float)):
        return Decimal(str(value))
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise violation("not_a_number", f"不是数字：{value}", f"not a number: {value!r}") from None


def cents(value: Decimal) -> Decimal:
    """Points are kept to two decimals, rounded half up (the way score sheets are added)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def text(value: Decimal) -> str:
    return str(cents(value))


def period_start(kind: str, on: str) -> str:
    """The first day of the period of ``kind`` that holds the date ``on``."""
    day = dt.date.fromisoformat(on)
    months = MONTHS[kind]
    first_month = (day.month - 1) // months * months + 1
    return dt.date(day.year, first_month, 1).isoformat()


def next_start(kind: str, start: str) -> str:
    """The first day of the period after the one starting on ``start``."""
    day = dt.date.fromisoformat(start)
    month = day.month - 1 + MONTHS[kind]
    return dt.date(day.year + month // 12, month % 12 + 1, 1).isoformat()


def period_end(kind: str, start: str) -> str:
    """The last day (inclusive) of the period starting on ``start``."""
    return (dt.date.fromisoformat(next_start(kind, start)) - dt.timedelta(days=1)).isoformat()


def period_key(kind: str, start: str) -> str:
    return f"{kind}:{start}"
