"""What a report covers: a community or a village, a period, a cut (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shequ.errors import ValidationError

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    label: str  # 2026Q1, 2026-03, 2026
    start: str  # first day, ISO
    end: str  # last day, ISO (included)

    @property
    def title_zh(self) -> str:
        year = self.label[:4]
        if "Q" in self.label:
            return f"{year}年第{'一二三四'[int(self.label[-1]) - 1]}季度"
        if "-" in self.label:
            return f"{year}年{int(self.label[5:])}月"
        return f"{year}年"

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "start": self.start, "end": self.end}


def parse_period(text: str) -> Period:
    """``2026Q1`` (a quarter), ``2026-03`` (a month) or ``2026`` (a year)."""
    if m := _QUARTER.match(text):
        year, q = int(m[1]), int(m[2])
        first = date(year, 3 * q - 2, 1)
        after = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    elif m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        first = date(year, month, 1)
        after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    elif m := _YEAR.match(text):
        first, after = date(int(m[1]), 1, 1), date(int(m[1]) + 1, 1, 1)
    else:
        raise ValidationError(
            "期间须写作 2026Q1（季度）、2026-03（月）或 2026（年）",
            "the period is 2026Q1 (a quarter), 2026-03 (a month) or 2026 (a year)",
            field="period",
        )
    return Period(text, first.isoformat(), (after - timedelta(days=1)).isoformat())


@dataclass(frozen=True)
class Scope:
    """A report's subject (``community`` or ``village``, by id or name), period and cut."""

    level: str
    ref: str
    period: Period
    cut: str  # the cut instant, ISO in UTC

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "ref": self.ref}


__all__ = ["Period", "Scope", "parse_period"]
