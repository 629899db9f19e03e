"""A stand-in for an upstream service in one service's end-to-end tests.

``CaseworkStandIn`` and ``OutreachStandIn`` are real platform services under the upstream's
name: their one command, ``emit``, stores an event that their relay publishes as any contract
of the upstream's REAL catalogue (so the payload is validated against what the real service
publishes), and their ``notifications`` RPC serves the consumer's gap repair as the real one
does. A test drives the consumer with exactly the messages it needs, without the upstream's
own rules; ``tests/test_e2e_suite.py`` runs the real services together.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from shequ.app import ServiceApplication
from shequ.catalogues import catalogue_of
from shequ.contracts import Contract
from shequ.rpc import PlatformService, command
from shequ.runtime import Platform
from shequ.topics import pin_topics


class Emission(Aggregate):
    """One message a test asked the stand-in to publish."""

    id: UUID  # from the idempotency key (Emission.key_id)

    @staticmethod
    def key_id(upstream: str, key: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"shequ-test-standin:{upstream}:{key}")

    @event("Emitted")
    def __init__(
        self, contract: str, version: int, data: dict[str, Any], actor: dict[str, Any]
    ) -> None:
        self.contract = contract
        self.version = version
        self.data = data


pin_topics("test_standin", Emission)


def make_standin(upstream: str) -> type[PlatformService]:
    catalogue = catalogue_of(upstream)

    class StandInApp(ServiceApplication):
        name = upstream

    def translate(domain_event: Any) -> tuple[Contract, dict[str, Any]] | None:
        if type(domain_event).__qualname__ != "Emission.Emitted":
            return None
        return catalogue.get(domain_event.contract, domain_event.version), dict(domain_event.data)

    class StandIn(PlatformService):
        name = upstream
        runtime = Platform(upstream, lambda cfg: StandInApp(cfg.store), translate)

        @command
        def emit(
            self,
            actor: dict[str, Any],
            idempotency_key: str,
            contract: str,
            data: dict[str, Any],
            version: int = 1,
        ) -> dict[str, Any]:
            """Publish ``data`` as ``<upstream>.<contract>`` (checked against the real
            contract first); returns the stand-in's log position. Idempotent per key."""
            full = f"{upstream}.{contract}"
            catalogue.get(full, version).validate(data)
            who = self.trusted_actor(actor)

            def decide() -> Any:
                agg = Emission(
                    id=Emission.key_id(upstream, idempotency_key),  # type: ignore
                    contract=full,
                    version=version,
                    data=data,
                    actor=who.to_dict(),
                )
                return [agg], {"emission_id": str(agg.id)}

            out = self.app.execute(
                "emit", idempotency_key, who, {"contract": full, "data": data}, decide
            )
            return {**out, "position": int(self.app.recorder.max_notification_id() or 0)}

    StandIn.__name__ = StandIn.__qualname__ = f"{upstream.capitalize()}StandIn"
    return StandIn


CaseworkStandIn = make_standin("casework")
OutreachStandIn = make_standin("outreach")
