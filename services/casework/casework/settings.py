"""Time limits and local practice of casework, with the law as default (RULES §1, §3, §4).

[law] values are fixed by national regulation and may only be made stricter; [local] values
are district practice; [?] values are unconfirmed defaults (README: Settings).
"""
# ruff: noqa: RUF009 - Period and LocalRules are frozen (immutable) dataclasses: shared defaults are safe
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources

from casework.domain.calendar import Period, WorkCalendar
from casework.domain.thresholds import LocalRules


def _handling() -> dict[str, Period]:
    return {
        "demand": Period(15, "working"),      # [local]
        "suggestion": Period(15, "working"),  # [local]
        "petition": Period(60, "calendar"),   # [law] 信访工作条例 Art. 36: 60 days
        "dispute": Period(30, "calendar"),    # [law] 人民调解工作若干规定 Art. 33: one month
        "decision": Period(90, "calendar"),   # [?]
    }


def _by_category() -> dict[str, Period]:
    return {"rubbish": Period(1, "working")}  # [local] 日产日清: rubbish cleared the same day


@dataclass(frozen=True)
class CaseworkSettings:
    accept_within: Period = Period(3, "working")                 # [local]
    handling: dict[str, Period] = field(default_factory=_handling)
    handling_by_category: dict[str, Period] = field(default_factory=_by_category)
    petition_accept_within: Period = Period(15, "calendar")      # [law] Art. 31: 15 days
    petition_objection_within: Period = Period(5, "working")     # [law] Art. 31: 5 working days
    petition_review_window: Period = Period(30, "calendar")      # [law] Art. 35
    petition_review_answer: Period = Period(30, "calendar")      # [law] Art. 35
    petition_max_extensions: int = 1                             # [law] Art. 36: once
    petition_max_extension_days: int = 30                        # [law] Art. 36: 30 days
    max_extensions: int = 1                                      # [local]
    max_extension_days: int = 15                                 # [local]
    reopen_within: Period = Period(7, "calendar")                # [local]
    reprimand_after_days: int = 5                                # [local] chase, then 5 days
    duplicate_within_days: int = 30                              # [local]
    mediation_within: Period = Period(30, "calendar")            # [law] one month
    confirmation_within: Period = Period(30, "calendar")         # [law] 人民调解法 Art. 33
    max_group_representatives: int = 5                           # [law] 信访工作条例 Art. 28
    local_rules: LocalRules = field(default_factory=LocalRules)

    def handling_period(self, case_type: str, category: str) -> Period:
        return self.handling_by_category.get(category) or self.handling[case_type]

    def extension_limits(self, case_type: str) -> dict[str, int]:
        if case_type == "petition":
            return {"max_count": self.petition_max_extensions,
                    "max_days": self.petition_max_extension_days}
        return {"max_count": self.max_extensions, "max_days": self.max_extension_days}


def load_calendar(years: tuple[int, ...] = (2025, 2026)) -> WorkCalendar:
    """The holiday calendar shipped as data (``casework/data/holidays-<year>.json``)."""
    records = []
    for year in years:
        text = resources.files("casework").joinpath(f"data/holidays-{year}.json").read_text(
            encoding="utf-8")
        records.append(json.loads(text))
    return WorkCalendar.of(records)
