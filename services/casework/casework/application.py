"""The casework eventsourcing Application: cases, mediation, village decisions, deadlines.

The application holds the machinery (``casework.base``, ``casework.intake``): settings, clock,
calendar, loading, scope targets, the read model and routing. The use cases are plain handlers
listed in ``casework.usecases``; ``USE_CASES.bind(app)`` runs them in process through the same
model and role checks as RPC. Queries read the projections, caught up first, and mask personal
data by role.
"""

from __future__ import annotations

from shequ.topics import pin_topics

from casework.domain import AGGREGATES, FORMER_TOPICS
from casework.intake import Intake
from casework.settings import CaseworkSettings
from casework.usecases import USE_CASES

pin_topics("casework", *AGGREGATES, former=FORMER_TOPICS)  # former: before Case was one class


class Casework(Intake):
    """The casework service's application (案件办理服务)."""

    name = "casework"
    policy = USE_CASES.policy


__all__ = ["Casework", "CaseworkSettings"]
