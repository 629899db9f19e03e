"""The deadline engine of casework: the suite's one work calendar (``shequ.workcalendar``),
calendar and working days over the holiday calendar given as data."""

from __future__ import annotations

from shequ.workcalendar import UNITS, Period, WorkCalendar

__all__ = ["UNITS", "Period", "WorkCalendar"]
