"""Finance nameko service: thin RPC entrypoints over the Finance application.

One entrypoint per use case in the use-case table (``finance.usecases.USE_CASES``), plus the
platform's ``notifications``, ``health``, ``replay_dead_letter`` and ``batch``. One inbox:
registry (villages and their communities).
"""

from __future__ import annotations

from shequ.config import ServiceConfig
from shequ.rpc import PlatformService, expose
from shequ.runtime import InboxSpec, Platform

from finance.application import Finance
from finance.contracts import translate
from finance.reactions import RegistryReactions
from finance.settings import FinanceSettings
from finance.usecases import USE_CASES


def make_app(cfg: ServiceConfig) -> Finance:
    return Finance(cfg.store, FinanceSettings.from_env())


class FinanceService(PlatformService):
    name = "finance"
    runtime = Platform("finance", make_app, translate, inboxes=[InboxSpec.of(RegistryReactions)])


expose(FinanceService, USE_CASES)
