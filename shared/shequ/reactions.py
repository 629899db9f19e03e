"""Reactions: what a service does with one upstream service's integration events.

One shape for every inbox handler. A service's ``reactions.py`` has one class per upstream it
reads, built with the service's application::

    class RegistryReactions(Reactions):
        upstream = "registry"
        interests = REGISTRY  # the service's copies of the contracts it reads (interests.py)

        def on_person_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
            ...

There is one method ``on_<contract>`` for each contract in ``interests`` (the name after the
upstream's, dots as underscores); a class that lacks one, or has one for a contract it does not
read, is refused when it is built. A reaction loads aggregates through ``unit`` (``unit.get``)
and returns those it changed; the inbox saves them with the tracking record in one transaction
(so an envelope takes effect exactly once), after it has checked the envelope's provenance and
its data against ``interests``; a reaction that keeps failing sends the envelope to the dead
letters. Contracts not read are ignored. Reactions check that they change something, so a fact
delivered again is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from shequ.contracts import Contract
from shequ.inbox import Unit

Data = dict[str, Any]
Changed = list[Any]  # the aggregates a reaction changed or created
SYSTEM_ACTOR = {"person_id": "system", "role": "system"}


@dataclass(frozen=True)
class Received:
    """What a reaction may know of the envelope besides its data."""

    contract: str
    service: str
    position: int
    actor: dict[str, Any]
    occurred_at: str | None = None

    @property
    def source(self) -> str:
        """``service:position``: the upstream event, unique across the suite."""
        return f"{self.service}:{self.position}"

    @classmethod
    def of(cls, envelope: dict[str, Any]) -> Received:
        return cls(
            envelope["contract"],
            envelope["service"],
            envelope["position"],
            dict(envelope.get("actor") or SYSTEM_ACTOR),
            envelope.get("occurred_at"),
        )


Reaction = Callable[[Data, Unit, Received], Iterable[Any]]


class Reactions:
    """A service's reactions to one upstream's events: an inbox handler (``(envelope, unit) ->
    changed aggregates``). Subclasses set ``upstream`` and ``interests`` and define one
    ``on_<contract>`` method per contract read."""

    upstream: ClassVar[str]
    interests: ClassVar[dict[str, Contract]]

    def __init__(self, app: Any) -> None:
        self.app = app
        self.routes: dict[str, Reaction] = {}
        prefix = f"{self.upstream}."
        for contract in self.interests:
            if not contract.startswith(prefix):
                raise TypeError(f"{type(self).__name__} reads {contract}, not from {prefix}*")
            method = self.method_name(contract)
            reaction = getattr(self, method, None)
            if reaction is None:
                raise TypeError(f"{type(self).__name__} reads {contract} but has no {method}")
            self.routes[contract] = reaction
        known = {self.method_name(c) for c in self.interests}
        stray = sorted(n for n in dir(type(self)) if n.startswith("on_") and n not in known)
        if stray:
            raise TypeError(f"{type(self).__name__}: {stray} react to no contract it reads")

    @classmethod
    def method_name(cls, contract: str) -> str:
        """``on_household_registered`` for ``registry.household.registered``."""
        return "on_" + contract.removeprefix(f"{cls.upstream}.").replace(".", "_")

    def __call__(self, envelope: dict[str, Any], unit: Unit) -> Changed:
        reaction = self.routes.get(envelope["contract"])
        if reaction is None:
            return []
        return list(reaction(envelope["data"], unit, Received.of(envelope)))


__all__ = ["Changed", "Data", "Reaction", "Reactions", "Received"]
