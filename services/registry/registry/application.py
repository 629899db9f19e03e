"""The registry's eventsourcing Application: organisations, people, teams, and their queries.

The application is machinery only (``registry.base``: typed loading, scope targets, the read
model, settings); its use cases are typed commands with plain handlers, one module per concept,
listed in ``registry.usecases`` (whose policy the application checks). In process, call them
through ``USE_CASES.bind(app)``, as RPC does: ``bound.register_village(actor, key, ...)``.
"""

from __future__ import annotations

from shequ.topics import pin_topics

from registry.base import RegistryBase
from registry.domain import AGGREGATES
from registry.settings import RegistrySettings
from registry.usecases import USE_CASES

pin_topics("registry", *AGGREGATES)


class Registry(RegistryBase):
    """The registry service's application (登记服务)."""

    name = "registry"
    policy = USE_CASES.policy


__all__ = ["Registry", "RegistrySettings"]
