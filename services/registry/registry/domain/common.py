"""What every registry aggregate shares: rule violations, dated records, id namespaces.

Pure: standard library, shequ.errors and shequ.domainkit only.
Dates travel as ISO ``YYYY-MM-DD`` text, decided
by the application; the domain compares them as text (ISO dates sort correctly).
"""

from __future__ import annotations

from shequ.domainkit import ActorDict, Ids, check_end, violation

# ActorDict, check_end and violation are the suite's (shequ.domainkit), here with our ids
__all__ = ["IDS", "ActorDict", "check_end", "current_on", "key_id", "natural_id", "violation"]

IDS = Ids("registry")
natural_id = IDS.natural_id
key_id = IDS.key_id


def current_on(since: str, until: str | None, on: str) -> bool:
    """Whether a record dated [since, until) holds on the day ``on``."""
    return since <= on and (until is None or on < until)
