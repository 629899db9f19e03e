"""What every registry aggregate shares: rule violations, dated records, id namespaces.

Pure: standard library and shequ.errors only. Dates travel as ISO ``YYYY-MM-DD`` text, decided
by the application; the domain compares them as text (ISO dates sort correctly).
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from shequ.errors import RuleViolation

ActorDict = dict[str, Any]

NAMESPACE = uuid5(NAMESPACE_URL, "shequ:registry")


def natural_id(*parts: str) -> UUID:
    """A stable id from a natural key, so that registering the same thing twice finds it."""
    return uuid5(NAMESPACE, ":".join(parts))


def violation(code: str, zh: str, en: str, field: str | None = None) -> RuleViolation:
    """A RuleViolation whose code names the rule, e.g. ``rule.secretary_not_district_leader``."""
    return RuleViolation(zh, en, field, code=f"rule.{code}")


def current_on(since: str, until: str | None, on: str) -> bool:
    """Whether a record dated [since, until) holds on the day ``on``."""
    return since <= on and (until is None or on < until)


def check_end(since: str, until: str, field: str = "until") -> None:
    """An end date may not come before the start it ends."""
    if until < since:
        raise violation(
            "end_before_start",
            f"结束日期（{until}）早于开始日期（{since}）",
            f"the end date {until} is before the start date {since}",
            field,
        )
