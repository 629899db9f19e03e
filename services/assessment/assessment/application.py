"""The assessment service's eventsourcing Application (考核服务).

Every command takes ``(actor, idempotency_key, **fields)``, validates its input before anything
is written, checks the policy, and runs through ``execute`` (atomic, idempotent per key).
Queries read the projections, caught up first, and mask personal data by role.
"""

from __future__ import annotations

from shequ.topics import pin_topics

from assessment.commands_periods import PeriodCommands
from assessment.commands_pledges import PledgeCommands
from assessment.commands_schemes import SchemeCommands
from assessment.domain import AGGREGATES
from assessment.queries import Queries
from assessment.settings import AssessmentSettings

pin_topics("assessment", *AGGREGATES)


class Assessment(SchemeCommands, PeriodCommands, PledgeCommands, Queries):
    """The assessment service's application (考核服务)."""

    name = "assessment"


__all__ = ["Assessment", "AssessmentSettings"]
