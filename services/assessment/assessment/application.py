"""The assessment service's eventsourcing Application (考核服务).

Its use cases are plain handlers listed in ``assessment.usecases`` (each validates its typed
command at the boundary and runs through ``run``: authorised, atomic, idempotent per key);
queries read the projections, caught up first, and mask personal data by role. The class
holds the machinery (``assessment.base``) and the policy of the use-case table.
"""

from __future__ import annotations

from shequ.topics import pin_topics

from assessment.base import AssessmentBase
from assessment.domain import AGGREGATES
from assessment.settings import AssessmentSettings
from assessment.usecases import USE_CASES

pin_topics("assessment", *AGGREGATES)


class Assessment(AssessmentBase):
    """The assessment service's application (考核服务)."""

    name = "assessment"
    policy = USE_CASES.policy


__all__ = ["Assessment", "AssessmentSettings"]
