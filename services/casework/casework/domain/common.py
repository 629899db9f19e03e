"""What every casework aggregate shares: rule violations, id namespaces, actor records.

Pure: standard library, shequ.errors and shequ.domainkit only.
Dates travel as ISO ``YYYY-MM-DD`` text, decided
by the application (its injectable clock); the domain compares them as text.
"""

from __future__ import annotations

from typing import Any

from shequ.domainkit import Ids, violation

ActorDict = dict[str, Any]

IDS = Ids("casework")
NAMESPACE = IDS.namespace
natural_id = IDS.natural_id
key_id = IDS.key_id


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
