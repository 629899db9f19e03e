"""Registry nameko service: thin RPC entrypoints over the Registry application.

One entrypoint per row of the use-case table (``registry.usecases.USE_CASES``), plus
``batch``, the platform's ``notifications``, ``replay_dead_letter`` and ``health``, and
``seed_demo``.
"""

from __future__ import annotations

from typing import Any

from shequ.config import ServiceConfig
from shequ.errors import Forbidden
from shequ.rpc import PlatformService, command, expose
from shequ.runtime import Platform

from registry.application import Registry
from registry.contracts import translate
from registry.seed import seed_demo
from registry.usecases import USE_CASES


def make_app(cfg: ServiceConfig) -> Registry:
    return Registry(cfg.store)


class RegistryService(PlatformService):
    name = "registry"
    runtime = Platform("registry", make_app, translate)

    @command
    def seed_demo(self, actor: dict[str, Any]) -> dict[str, Any]:
        """Load the demo district (sample data); idempotent.

        Example: ``{"actor": {"person_id": "system:seed", "role": "system"}}``
        """
        who = self.trusted_actor(actor)
        if who.role not in ("system", "district_staff"):
            raise Forbidden(
                "只有区级工作人员可载入示范数据",
                "only district staff may load the demo district",
                "actor.role",
            )
        return seed_demo(self.app, who)


expose(RegistryService, USE_CASES)
