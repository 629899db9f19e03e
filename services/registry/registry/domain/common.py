"""What every registry aggregate shares: rule violations, dated records, id namespaces.

Pure: standard library, shequ.errors and shequ.domainkit only.
Dates travel as ISO ``YYYY-MM-DD`` text, decided
by the application; the domain compares them as text (ISO dates sort correctly).
"""

from __future__ import annotations

from typing import Any

from shequ.domainkit import Ids, violation

ActorDict = dict[str, Any]

IDS = Ids("registry")
NAMESPACE = IDS.namespace
natural_id = IDS.natural_id
key_id = IDS.key_id


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
