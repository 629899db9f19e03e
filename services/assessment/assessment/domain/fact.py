"""A fact: one upstream integration event (casework, outreach) as assessment counts it.

Its id derives from the upstream event id, so the same event can never be recorded twice.
``on`` is the date the event happened; the fact counts in the period holding that date, unless
that period was already closed when the fact arrived: then the late-event rule decides, and the
fact records the decision (``late``: which periods it was late for; ``moved``: period kind →
the start of the later period it counts in instead, under the ``next_period`` rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from assessment.domain.common import IDS, PERIOD_KINDS, period_start


@dataclass
class Fact(Aggregate, created_event_name="Recorded"):
    source: str
    kind: str
    community_id: str
    team_id: str | None
    on: str
    key: str
    values: dict[str, Any]
    late: list[str]
    moved: dict[str, str]
    late_rule: str | None

    create_id = IDS.keyed_by("fact", "source")


def counted_in(on: str, moved: dict[str, str]) -> dict[str, str]:
    """Period kind → start of the period a fact dated ``on`` counts in."""
    return {kind: moved.get(kind) or period_start(kind, on) for kind in PERIOD_KINDS}
