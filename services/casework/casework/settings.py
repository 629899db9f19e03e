"""Time limits and local practice of casework, with the law as default (RULES §1, §3, §4).

[law] values are fixed by national regulation and may only be made stricter; [local] values
are district practice; [?] values are unconfirmed defaults (README: Settings).
"""

# ruff: noqa: RUF009 - Period and LocalRules are frozen (immutable) dataclasses: shared defaults are safe
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from typing import Any

from shequ.workcalendar import Period

from casework.domain.thresholds import LocalRules


def _handling() -> dict[str, Period]:
    return {
        "demand": Period(15, "working"),  # [local]
        "suggestion": Period(15, "working"),  # [local]
        "petition": Period(60, "calendar"),  # [law] 信访工作条例 Art. 36: 60 days
        "dispute": Period(30, "calendar"),  # [law] 人民调解工作若干规定 Art. 33: one month
        "decision": Period(90, "calendar"),  # [?]
    }


def _by_category() -> dict[str, Period]:
    return {"rubbish": Period(1, "working")}  # [local] 日产日清: rubbish cleared the same day


@dataclass(frozen=True)
class CaseworkSettings:
    accept_within: Period = Period(3, "working")  # [local]
    handling: dict[str, Period] = field(default_factory=_handling)
    handling_by_category: dict[str, Period] = field(default_factory=_by_category)
    petition_accept_within: Period = Period(15, "calendar")  # [law] Art. 31: 15 days
    petition_objection_within: Period = Period(5, "working")  # [law] Art. 31: 5 working days
    petition_review_window: Period = Period(30, "calendar")  # [law] Art. 35
    petition_review_answer: Period = Period(30, "calendar")  # [law] Art. 35
    petition_max_extensions: int = 1  # [law] Art. 36: once
    petition_max_extension_days: int = 30  # [law] Art. 36: 30 days
    max_extensions: int = 1  # [local]
    max_extension_days: int = 15  # [local]
    reopen_within: Period = Period(7, "calendar")  # [local]
    reprimand_after_days: int = 5  # [local] chase, then 5 days
    duplicate_within_days: int = 30  # [local]
    # [local] how many days back a fact typed in late may be dated (a paper petition, an
    # application made in person, minutes of a meeting): received_on, requested_on, ...
    backdate_within_days: int = 30
    mediation_within: Period = Period(30, "calendar")  # [law] one month
    confirmation_within: Period = Period(30, "calendar")  # [law] 人民调解法 Art. 33
    max_group_representatives: int = 5  # [law] 信访工作条例 Art. 28
    local_rules: LocalRules = field(default_factory=LocalRules)

    def handling_period(self, case_type: str, category: str) -> Period:
        return self.handling_by_category.get(category) or self.handling[case_type]

    def extension_limits(self, case_type: str) -> dict[str, int]:
        if case_type == "petition":
            return {
                "max_count": self.petition_max_extensions,
                "max_days": self.petition_max_extension_days,
            }
        return {"max_count": self.max_extensions, "max_days": self.max_extension_days}


# [law] values a district may not change at all (residents' and parties' rights, and the
# petition procedure's own time limits), and [law] ceilings a district may only shorten.
LAW_FIXED = (
    "petition_accept_within",
    "petition_objection_within",
    "petition_review_window",
    "petition_review_answer",
    "petition_max_extensions",
    "petition_max_extension_days",
    "confirmation_within",
    "max_group_representatives",
)
LAW_CEILINGS = {"petition": 60, "dispute": 30}
PERIODS = ("accept_within", "reopen_within", "mediation_within")


def _period(value: Any, name: str) -> Period:
    if not isinstance(value, dict) or set(value) - {"days", "unit"}:
        raise ValueError(f'{name}: a period is {{"days": N, "unit": "calendar|working"}}')
    return Period(int(value["days"]), str(value.get("unit", "calendar")))


def _handling_from(default: dict[str, Period], data: dict[str, Any]) -> dict[str, Period]:
    """Handling periods per case type, none past the law's ceiling for its type."""
    handling = dict(default)
    for kind, value in data.items():
        if kind not in handling:
            raise ValueError(f"handling: unknown case type {kind!r}")
        handling[kind] = _period(value, f"handling.{kind}")
        ceiling = LAW_CEILINGS.get(kind)
        if ceiling is not None and (
            handling[kind].unit != "calendar" or handling[kind].days > ceiling
        ):
            raise ValueError(f"handling.{kind}: at most {ceiling} calendar days (law)")
    return handling


def settings_from(data: dict[str, Any]) -> CaseworkSettings:
    """A district's settings from a mapping (e.g. a JSON file), refusing to loosen the law."""
    unknown = set(data) - {f.name for f in fields(CaseworkSettings)}
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    fixed = sorted(set(data) & set(LAW_FIXED))
    if fixed:
        raise ValueError(f"fixed by law, not a local setting: {fixed}")
    base = CaseworkSettings()
    changes: dict[str, Any] = {}
    for name in PERIODS:
        if name in data:
            changes[name] = _period(data[name], name)
    if "mediation_within" in changes and changes["mediation_within"].days > 30:
        raise ValueError("mediation_within: the law's one month may only be shortened")
    if "handling" in data:
        changes["handling"] = _handling_from(base.handling, data["handling"])
    if "handling_by_category" in data:
        changes["handling_by_category"] = {
            k: _period(v, f"handling_by_category.{k}")
            for k, v in data["handling_by_category"].items()
        }
    for name in (
        "max_extensions",
        "max_extension_days",
        "reprimand_after_days",
        "duplicate_within_days",
        "backdate_within_days",
    ):
        if name in data:
            changes[name] = int(data[name])
    if "local_rules" in data:
        local = replace(LocalRules(), **data["local_rules"])
        if local.villagers_assembly_notice_days < 10:
            raise ValueError("local_rules.villagers_assembly_notice_days: at least 10 (law)")
        changes["local_rules"] = local
    return replace(base, **changes)


def load_settings(path: str | None) -> CaseworkSettings:
    """``SHEQU_CASEWORK_SETTINGS``: a JSON file of local settings, or the defaults."""
    if not path:
        return CaseworkSettings()
    with open(path, encoding="utf-8") as f:
        return settings_from(json.load(f))
