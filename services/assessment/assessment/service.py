"""Assessment nameko service: thin RPC entrypoints over the Assessment application.

One entrypoint per use case in the use-case table (``assessment.usecases.USE_CASES``), plus the
platform's ``notifications``, ``health``, ``replay_dead_letter`` and ``batch``. Inboxes:
registry (subjects), casework, outreach and finance (facts).
"""

from __future__ import annotations

from shequ.rpc import PlatformService, expose
from shequ.runtime import InboxSpec, Platform

from assessment.application import Assessment
from assessment.contracts import translate
from assessment.reactions import (
    CaseworkReactions,
    FinanceReactions,
    OutreachReactions,
    RegistryReactions,
)
from assessment.usecases import USE_CASES


class AssessmentService(PlatformService):
    name = "assessment"
    runtime = Platform(
        "assessment",
        Assessment.for_service,
        translate,
        inboxes=[
            InboxSpec.of(RegistryReactions),
            InboxSpec.of(CaseworkReactions),
            InboxSpec.of(OutreachReactions),
            InboxSpec.of(FinanceReactions),
        ],
    )


expose(AssessmentService, USE_CASES)
