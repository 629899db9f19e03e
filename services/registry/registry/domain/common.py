"""What every registry aggregate shares besides the suite's kit (shequ.domainkit: the actor,
rule violations, the end-date check): its ids and dated records.

Pure: standard library, shequ.errors and shequ.domainkit only.
Dates travel as ISO ``YYYY-MM-DD`` text, decided
by the application; the domain compares them as text (ISO dates sort correctly).
"""

from __future__ import annotations

from shequ.domainkit import Ids

IDS = Ids("registry")
natural_id = IDS.natural_id
key_id = IDS.key_id


def current_on(since: str, until: str | None, on: str) -> bool:
    """Whether a record dated [since, until) holds on the day ``on``."""
    return since <= on and (until is None or on < until)
