"""Outreach nameko service: thin RPC entrypoints over the Outreach application.

One entrypoint per use case in the policy table (``outreach.policy.RULES``), plus the
platform's ``notifications``, ``health``, ``replay_dead_letter`` and ``batch``. Two inboxes:
registry (teams, households, links → cards) and casework (case ids for opinions).
"""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider
from shequ.config import ServiceConfig
from shequ.rpc import PlatformService, expose_methods
from shequ.runtime import InboxSpec, Platform

from outreach.application import Outreach
from outreach.contracts import translate
from outreach.policy import POLICY
from outreach.reactions import CaseworkReactions, RegistryReactions
from outreach.settings import OutreachSettings


def make_app(cfg: ServiceConfig) -> Outreach:
    return Outreach(cfg.store, OutreachSettings.from_env())


log = logging.getLogger(__name__)


class BackgroundJobs(DependencyProvider):
    """Outreach's background work, in one managed greenlet polling twice a second:
    re-issue of cards after large team changes (``Outreach.reissue_pending``, in chunks, each
    its own transaction) and, once a day, flagging overdue party-member contacts in every
    community (``Outreach.sweep_overdue``, idempotent per community and day)."""

    interval = 0.5

    def setup(self) -> None:
        self.stopping = False
        self.swept_on = ""

    def start(self) -> None:
        self.container.spawn_managed_thread(self._loop, identifier="outreach.background")

    def stop(self) -> None:
        self.stopping = True

    def kill(self) -> None:
        self.stopping = True

    def _app(self) -> Any:
        for dep in self.container.dependencies:
            if isinstance(dep, Platform) and dep.runtime is not None:
                return dep.runtime.app
        return None

    def _loop(self) -> None:
        while not self.stopping:
            app = self._app()
            try:
                while app is not None and not self.stopping and app.reissue_pending() > 0:
                    eventlet.sleep(0)  # let RPC workers and the inboxes run between chunks
                if app is not None and app.today() != self.swept_on:
                    flagged = app.sweep_overdue()
                    self.swept_on = app.today()
                    log.info("outreach: %d overdue contact(s) flagged", flagged)
            except Exception as exc:  # noqa: BLE001 - outlive database outages; retried
                log.warning("outreach background jobs: %s", exc)
            eventlet.sleep(self.interval)


class OutreachService(PlatformService):
    name = "outreach"
    runtime = Platform(
        "outreach",
        make_app,
        translate,
        inboxes=[
            InboxSpec.of(RegistryReactions),
            InboxSpec.of(CaseworkReactions),
        ],
    )
    jobs = BackgroundJobs()


expose_methods(OutreachService, Outreach, POLICY)
