"""What every outreach aggregate shares: rule violations, natural ids, dates as ISO text.

Pure: standard library, shequ.errors and shequ.domainkit only.
Dates travel as ISO ``YYYY-MM-DD`` text decided by
the application; the domain compares them as text (ISO dates sort correctly).
"""

from __future__ import annotations

import calendar
import datetime as dt

from shequ.domainkit import ActorDict, Ids, check_end, violation

__all__ = ["IDS", "ActorDict", "add_months", "check_period", "key_id", "natural_id", "violation"]

IDS = Ids("outreach")
natural_id = IDS.natural_id
key_id = IDS.key_id

PERIOD_END_BEFORE_START = (
    "period_end_before_start",
    "the period ends ({end}) before it starts ({start})",
)


def add_months(day: str, months: int) -> str:
    """The same day ``months`` calendar months later (clamped to the month's last day)."""
    d = dt.date.fromisoformat(day)
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(d.day, last)).isoformat()


def check_period(start: str, end: str, field: str = "period_end") -> None:
    """A period may not end before it starts."""
    check_end(start, end, field, PERIOD_END_BEFORE_START)
