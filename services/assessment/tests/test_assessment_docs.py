"""services/assessment/README.md stays true to the code (no servers needed): the method table
is the use-case table's, every entrypoint has a ``### name`` section with a ``shequ call
assessment <name> '<json>'`` example its command model accepts, every policy row's roles and
scopes are stated, every contract is listed and its example validates, and our copies of the
upstream contracts match what they publish (``tests.support.readme.ServiceReadme``)."""

from __future__ import annotations

from assessment.interests import CASEWORK, FINANCE, OUTREACH, REGISTRY

from tests.support.readme import ServiceReadme


class TestAssessmentReadme(ServiceReadme):
    service = "assessment"
    interests = REGISTRY | CASEWORK | OUTREACH | FINANCE
