"""Outreach nameko service: thin RPC entrypoints over the Outreach application.

One entrypoint per use case in the policy table (``outreach.policy.RULES``), plus the
platform's ``notifications``, ``health``, ``replay_dead_letter`` and ``batch``. Two inboxes:
registry (teams, households, links → cards) and casework (case ids for opinions).
"""
from __future__ import annotations

from shequ.config import ServiceConfig
from shequ.rpc import PlatformService, expose
from shequ.runtime import InboxSpec, Platform

from outreach.application import Outreach
from outreach.contracts import CASEWORK_INTERESTS, REGISTRY_INTERESTS, translate
from outreach.policies import casework_handler, registry_handler
from outreach.policy import POLICY
from outreach.settings import OutreachSettings


def make_app(cfg: ServiceConfig) -> Outreach:
    return Outreach(cfg.store, OutreachSettings.from_env())


class OutreachService(PlatformService):
    name = "outreach"
    runtime = Platform("outreach", make_app, translate, inboxes=[
        InboxSpec("registry", registry_handler, REGISTRY_INTERESTS),
        InboxSpec("casework", casework_handler, CASEWORK_INTERESTS)])


expose(OutreachService, Outreach, POLICY)
