"""The casework eventsourcing Application: cases, mediation, village decisions, deadlines.

Every command takes ``(actor, idempotency_key, **fields)``, validates its input before anything
is written, checks the policy, and runs through ``execute`` (atomic, idempotent per key).
Queries read the projections, caught up first, and mask personal data by role.
"""

from __future__ import annotations

from shequ.topics import pin_topics

from casework.deadlines import DeadlineCommands
from casework.domain import AGGREGATES, FORMER_TOPICS
from casework.queries import Queries
from casework.settings import CaseworkSettings

pin_topics("casework", *AGGREGATES, former=FORMER_TOPICS)  # former: before Case was one class


class Casework(DeadlineCommands, Queries):
    """The casework service's application (案件办理服务)."""

    name = "casework"


__all__ = ["Casework", "CaseworkSettings"]
