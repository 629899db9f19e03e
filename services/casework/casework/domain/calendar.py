"""The deadline engine: calendar and working days over a holiday calendar given as data.

Pure. A ``WorkCalendar`` knows, per year, the public holidays (放假) and the adjusted working
days (调休上班) announced by the State Council; outside the years it covers, Monday to Friday
are working days. Periods start counting on the day after the start date (the start date is
not counted: RULES §3 leaves first-day counting unset, this is the default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

UNITS = {"calendar": "自然日", "working": "工作日"}


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[str] = field(default_factory=frozenset)
    workdays: frozenset[str] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, years: Iterable[dict[str, object]]) -> WorkCalendar:
        """Build from per-year records ``{"year", "holidays": [...], "workdays": [...]}``."""
        hol: set[str] = set()
        work: set[str] = set()
        covered: set[int] = set()
        for rec in years:
            covered.add(int(rec["year"]))  # type: ignore[call-overload]
            hol.update(str(d) for d in rec.get("holidays", []))  # type: ignore[attr-defined]
            work.update(str(d) for d in rec.get("workdays", []))  # type: ignore[attr-defined]
        return cls(frozenset(hol), frozenset(work), frozenset(covered))

    def covers(self, day: str) -> bool:
        return _d(day).year in self.years

    def is_working_day(self, day: str) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return _d(day).weekday() < 5

    def add(self, start: str, n: int, unit: str) -> str:
        """The day ``n`` units after ``start`` (the start itself not counted)."""
        if unit == "calendar":
            return (_d(start) + dt.timedelta(days=n)).isoformat()
        if unit != "working":
            raise ValueError(f"unknown unit {unit!r}")
        day, left = _d(start), n
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day.isoformat()):
                left -= 1
        return day.isoformat()

    def count(self, start: str, end: str, unit: str) -> int:
        """How many units lie in (start, end]: 0 if end is not after start."""
        a, b = _d(start), _d(end)
        if b <= a:
            return 0
        if unit == "calendar":
            return (b - a).days
        return sum(
            1
            for i in range(1, (b - a).days + 1)
            if self.is_working_day((a + dt.timedelta(days=i)).isoformat())
        )

    def shift_for_pause(self, due: str, paused_on: str, resumed_on: str, unit: str) -> str:
        """The due date moved on by the units that passed while the case was paused."""
        return self.add(due, self.count(paused_on, resumed_on, unit), unit)


@dataclass(frozen=True)
class Period:
    """A time limit: ``days`` in ``unit`` (calendar or working)."""

    days: int
    unit: str = "calendar"

    def __post_init__(self) -> None:
        if self.unit not in UNITS or self.days < 0:
            raise ValueError(f"bad period {self.days} {self.unit}")

    def due(self, calendar: WorkCalendar, start: str) -> str:
        return calendar.add(start, self.days, self.unit)

    def to_dict(self) -> dict[str, object]:
        return {"days": self.days, "unit": self.unit}
