"""A test publisher standing in for the outreach service (being built in parallel) in the
casework end-to-end tests: a real platform service named ``outreach`` whose only use case
records a collected opinion; its relay publishes ``outreach.opinion.collected`` (fields as
agreed in docs/integration-events.md) to ``shequ.outreach.events`` and its ``notifications``
RPC serves casework's gap repair, exactly as the real outreach will."""
from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from shequ.actor import Actor
from shequ.app import ServiceApplication
from shequ.contracts import Catalogue, Contract
from shequ.rpc import PlatformService, command
from shequ.runtime import Platform
from shequ.topics import pin_topics

catalogue = Catalogue("outreach")
COLLECTED = catalogue.define("opinion.collected", 1, {
    "opinion_id": "string", "community_id": "string", "village_id": "string?",
    "household_id": "string?", "category": "string", "text": "string", "channel": "string",
    "source_id": "string", "collected_by": "string", "collected_on": "date"},
    "A resident's opinion taken down by a cadre (test publisher).")


class Opinion(Aggregate):
    id: UUID  # from the idempotency key

    @staticmethod
    def create_id(key: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"test-outreach:opinion:{key}")

    @event("Collected")
    def __init__(self, community_id: str, village_id: str | None, household_id: str | None,
                 category: str, text: str, channel: str, source_id: str, collected_by: str,
                 collected_on: str, actor: dict[str, Any]) -> None:
        self.data = {"community_id": community_id, "village_id": village_id,
                     "household_id": household_id, "category": category, "text": text,
                     "channel": channel, "source_id": source_id,
                     "collected_by": collected_by, "collected_on": collected_on}


pin_topics("test_outreach", Opinion)


class FakeOutreach(ServiceApplication):
    name = "outreach"


def translate(domain_event: Any) -> tuple[Contract, dict[str, Any]] | None:
    if type(domain_event).__qualname__ != "Opinion.Collected":
        return None
    fields = {k: getattr(domain_event, k) for k in COLLECTED.fields if k != "opinion_id"}
    return COLLECTED, {"opinion_id": str(domain_event.originator_id), **fields}


class FakeOutreachService(PlatformService):
    name = "outreach"
    runtime = Platform("outreach", lambda cfg: FakeOutreach(cfg.store), translate)

    @command
    def collect_opinion(self, actor: dict[str, Any], idempotency_key: str,
                        **fields: Any) -> dict[str, Any]:
        """Record a collected opinion (test use only)."""
        who = Actor.from_dict(actor)
        opinion_id = Opinion.create_id(idempotency_key)

        def decide() -> Any:
            agg = Opinion(id=opinion_id, actor=who.to_dict(), **fields)  # type: ignore[call-arg]
            return [agg], {"opinion_id": str(opinion_id)}
        return self.app.execute("collect_opinion", idempotency_key, who, fields, decide)
