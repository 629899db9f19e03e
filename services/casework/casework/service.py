"""Casework nameko service: thin RPC entrypoints over the Casework application, two inboxes
(registry, outreach) and a job (``shequ.jobs``) that scans deadlines.

One entrypoint per use case of the table (``casework.usecases.USE_CASES``), plus the
platform's ``notifications``, ``health``, ``replay_dead_letter`` and ``batch``.
"""

from __future__ import annotations

import logging
import os

from shequ.actor import Actor
from shequ.config import ServiceConfig
from shequ.jobs import job
from shequ.rpc import PlatformService, expose
from shequ.runtime import InboxSpec, Platform
from shequ.workcalendar import holidays_dir, load_calendar

from casework.application import Casework
from casework.contracts import translate
from casework.reactions import OutreachReactions, RegistryReactions
from casework.settings import load_settings
from casework.usecases import USE_CASES

log = logging.getLogger(__name__)
SCAN_INTERVAL = float(os.environ.get("SHEQU_CASEWORK_SCAN_INTERVAL", "300"))
TIMER = Actor(person_id="system:deadlines", role="system")


def make_app(cfg: ServiceConfig) -> Casework:
    """The application on the configured store, with the district's local settings if
    ``SHEQU_CASEWORK_SETTINGS`` names a JSON file (the law's limits cannot be loosened)."""
    return Casework(
        cfg.store,
        settings=load_settings(os.environ.get("SHEQU_CASEWORK_SETTINGS")),
        calendar=load_calendar(holidays_dir()),
    )


class CaseworkService(PlatformService):
    name = "casework"
    runtime = Platform(
        "casework",
        make_app,
        translate,
        inboxes=[
            InboxSpec.of(RegistryReactions),
            InboxSpec.of(OutreachReactions),
        ],
    )

    @job(every=SCAN_INTERVAL)
    def deadline_timer(self) -> None:
        """Scan deadlines with the real clock: chase what is overdue, reprimand what stays so
        (idempotent per case, due date and kind: replicas may scan at once)."""
        result = USE_CASES.call(self.app, "scan_deadlines", TIMER)
        if result["chased"] or result["reprimanded"] or result["closed"]:
            log.info(
                "deadlines on %s: %d chased, %d reprimanded, %d closed",
                result["on"],
                len(result["chased"]),
                len(result["reprimanded"]),
                len(result["closed"]),
            )


expose(CaseworkService, USE_CASES)
