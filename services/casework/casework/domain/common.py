"""What every casework aggregate shares: rule violations, id namespaces, actor records.

Pure: standard library and shequ.errors only. Dates travel as ISO ``YYYY-MM-DD`` text, decided
by the application (its injectable clock); the domain compares them as text.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from shequ.errors import RuleViolation

ActorDict = dict[str, Any]

NAMESPACE = uuid5(NAMESPACE_URL, "shequ:casework")


def natural_id(*parts: str) -> UUID:
    """A stable id from a natural key, so that learning the same thing twice finds it."""
    return uuid5(NAMESPACE, ":".join(parts))


def violation(
    code: str, zh: str, en: str, field: str | None = None, **details: Any
) -> RuleViolation:
    """A RuleViolation whose code names the rule, e.g. ``rule.petition.objection_late``."""
    return RuleViolation(zh, en, field, code=f"rule.{code}", details=details or None)


def not_before(day: str, start: str | None, field: str, start_zh: str, start_en: str) -> None:
    """A fact cannot have happened before what it belongs to began (dates as ISO text)."""
    if start is not None and day < start:
        raise violation(
            "date.before_start",
            f"{field} 不能早于{start_zh}（{start}）",
            f"{field} may not be before {start_en} ({start})",
            field,
            earliest=start,
        )
