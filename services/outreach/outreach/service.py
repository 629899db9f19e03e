"""Outreach nameko service: thin RPC entrypoints over the Outreach application.

One entrypoint per use case in the use-case table (``outreach.usecases.USE_CASES``), plus the
platform's ``notifications``, ``health``, ``replay_dead_letter`` and ``batch``. Two inboxes:
registry (teams, households, links → cards) and casework (case ids for opinions). Two jobs
(``shequ.jobs``): card re-issue in chunks and the daily overdue-contact sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shequ.jobs import JobSpec
from shequ.rpc import PlatformService, expose
from shequ.runtime import InboxSpec, Platform

from outreach.application import Outreach
from outreach.contracts import translate
from outreach.reactions import CaseworkReactions, RegistryReactions
from outreach.usecases import USE_CASES

log = logging.getLogger(__name__)


def reissue(app: Outreach) -> Callable[[], float | None]:
    """Re-issue of cards after large team changes and village moves (``reissue_pending``), a
    chunk (one transaction) a pass, passes back to back while any are left."""
    return lambda: 0.0 if app.reissue_pending() > 0 else None


def sweep_overdue(app: Outreach) -> Callable[[], None]:
    """Once a day, flag overdue party-member contacts in every community (``sweep_overdue``,
    idempotent per community and day)."""
    swept_on = ""

    def sweep() -> None:
        nonlocal swept_on
        if app.today() != swept_on:
            flagged = app.sweep_overdue()
            swept_on = app.today()
            log.info("outreach: %d overdue contact(s) flagged", flagged)

    return sweep


class OutreachService(PlatformService):
    name = "outreach"
    runtime = Platform(
        "outreach",
        Outreach.for_service,
        translate,
        inboxes=[
            InboxSpec.of(RegistryReactions),
            InboxSpec.of(CaseworkReactions),
        ],
        jobs=[JobSpec("reissue", 0.5, reissue), JobSpec("overdue-sweep", 0.5, sweep_overdue)],
    )


expose(OutreachService, USE_CASES)
