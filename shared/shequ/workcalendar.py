"""The suite's one work calendar (FINANCE.md D9, RULES §3): calendar and working days over the
State Council's holiday calendar, given as data (``shequ/data/holidays-<year>.json``).

Pure but for ``load_calendar``, which reads the data files. A ``WorkCalendar`` knows, per year,
the public holidays (放假) and the adjusted working days (调休上班); outside the years it covers,
Monday to Friday are working days. Periods start counting on the day after the start date (the
start date is not counted: 民法典 Art. 201). ``extend_to_working_day`` moves a last day that falls
on a rest day to the next working day (Art. 203, applied by analogy [?]): finance uses it by
default (``extend_on_rest_day``); casework counts working days where the law says so and keeps
its calendar-day limits as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

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

    def extend_to_working_day(self, day: str) -> str:
        """The last day of a period moved past rest days (民法典 Art. 203): ``day`` itself if it
        is a working day, else the first working day after it."""
        moved = _d(day)
        while not self.is_working_day(moved.isoformat()):
            moved += dt.timedelta(days=1)
        return moved.isoformat()

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


def load_calendar(extra_dir: str | None = None) -> WorkCalendar:
    """The holiday calendar: every year shipped as data (``shequ/data/holidays-<year>.json``)
    and, from ``extra_dir`` (``SHEQU_HOLIDAYS_DIR``; casework also reads its older
    ``SHEQU_CASEWORK_HOLIDAYS_DIR``), years an operator adds when the State Council announces
    them (a file there replaces the shipped one of the same year).
    Outside the years covered, Monday to Friday are working days."""
    records: dict[int, dict[str, Any]] = {}
    shipped = resources.files("shequ").joinpath("data")
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("holidays-") and entry.name.endswith(".json"):
            rec = _holiday_record(entry.read_text(encoding="utf-8"), entry.name)
            records[rec["year"]] = rec
    if extra_dir:
        for path in sorted(Path(extra_dir).glob("holidays-*.json")):
            rec = _holiday_record(path.read_text(encoding="utf-8"), str(path))
            records[rec["year"]] = rec
    return WorkCalendar.of(records[y] for y in sorted(records))


def _holiday_record(text: str, where: str) -> dict[str, Any]:
    """One year's record, checked: every date a real date of that year."""
    rec = json.loads(text)
    try:
        year = int(rec["year"])
        for key in ("holidays", "workdays"):
            for day in rec.get(key, []):
                if dt.date.fromisoformat(day).year != year:
                    raise ValueError(f"{key}: {day} is not in {year}")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: not a holiday calendar year ({exc})") from exc
    return {**rec, "year": year}


def holidays_dir() -> str | None:
    """Where an operator keeps the years the State Council announced after this release:
    ``SHEQU_HOLIDAYS_DIR`` (``SHEQU_CASEWORK_HOLIDAYS_DIR``, its older name, still read)."""
    return os.environ.get("SHEQU_HOLIDAYS_DIR") or os.environ.get("SHEQU_CASEWORK_HOLIDAYS_DIR")
