"""The one clock of every service: injected into the application (``App(store, clock=...)``),
never read from the module level, so that a test or a demo can set the time.

``Clock()`` is the system's time. ``today()`` is the district's civil date (Asia/Shanghai,
:data:`shequ.domainkit.LOCAL`): dates of record are local dates. Tests use :class:`FixedClock`.
"""

from __future__ import annotations

import datetime as dt

from shequ.domainkit import LOCAL

__all__ = ["LOCAL", "Clock", "FixedClock", "local_date"]


def local_date(moment: dt.datetime) -> str:
    """The district's civil date at ``moment`` (an aware time), as ``YYYY-MM-DD``."""
    return moment.astimezone(LOCAL).date().isoformat()


class Clock:
    """The system clock. Calling it (or ``now()``) gives the time, aware, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now()

    def today(self) -> str:
        """Today's civil date where the district is."""
        return local_date(self.now())


class FixedClock(Clock):
    """A clock the caller sets; nothing ever sleeps. ``FixedClock("2026-03-02")`` stands at
    09:00 local time that day; an ISO time with its offset stands at that time."""

    def __init__(self, start: str = "2025-03-01") -> None:
        self.moment = self.parse(start)

    @staticmethod
    def parse(when: str) -> dt.datetime:
        if len(when) == 10:  # a date: 09:00 there, a working morning
            when = f"{when}T09:00:00+08:00"
        moment = dt.datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise ValueError(f"a clock's time needs its offset: {when!r}")
        return moment

    def now(self) -> dt.datetime:
        return self.moment

    def set(self, when: str) -> FixedClock:
        """Stand at a day (09:00 local) or at an exact ISO time; returns the clock."""
        self.moment = self.parse(when)
        return self

    at = set

    def advance(self, days: int) -> None:
        self.moment += dt.timedelta(days=days)
