"""A downstream test consumer: copies every registry integration event into its own log,
one ``Copied`` event per upstream position, through the platform inbox. End-to-end and fault
tests compare its effects with the registry's stored events: none missing, none twice.

SHEQU_MIRROR_POISON, if set, makes the handler fail on any event whose data contains it
(a poison message, for the dead-letter tests)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from shequ.app import ServiceApplication
from shequ.config import ServiceConfig
from shequ.inbox import Unit
from shequ.rpc import PlatformService, query
from shequ.runtime import InboxSpec, Platform
from shequ.topics import pin_topics


@dataclass
class Mirrored(Aggregate, created_event_name="Started"):
    upstream_aggregate: str
    positions: list[int] = field(init=False, default_factory=list)

    @staticmethod
    def create_id(upstream_aggregate: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"mirror:{upstream_aggregate}")

    @event("Copied")
    def copy(self, position: int, contract: str, aggregate_version: int) -> None:
        self.positions.append(position)


pin_topics("mirror", Mirrored)


class MirrorApp(ServiceApplication):
    name = "mirror"


def make_handler(app: ServiceApplication) -> Any:
    poison = os.environ.get("SHEQU_MIRROR_POISON", "")

    def handle(envelope: dict[str, Any], unit: Unit) -> list[Aggregate]:
        if poison and poison in json.dumps(envelope["data"], ensure_ascii=False):
            raise ValueError(f"poison marker in position {envelope['position']}")
        agg = unit.get(Mirrored.create_id(envelope["aggregate_id"]))
        if agg is None:
            agg = Mirrored(upstream_aggregate=envelope["aggregate_id"])
        agg.copy(
            position=envelope["position"],
            contract=envelope["contract"],
            aggregate_version=envelope["aggregate_version"],
        )
        return [agg]

    return handle


def _no_publications(_event: Any) -> None:
    return None


class MirrorService(PlatformService):
    name = "mirror"
    runtime = Platform(
        "mirror",
        lambda cfg: MirrorApp(cfg.store),
        _no_publications,
        inboxes=[InboxSpec("registry", make_handler)],
    )

    @query
    def copied_times(self, actor: dict[str, Any]) -> list[list[Any]]:
        """[upstream position, when the copy was decided (ISO time)] for every copy."""
        return [[p, t] for p, t in self._copies()]

    @query
    def copied(self, actor: dict[str, Any]) -> list[int]:
        """Every upstream position copied, in the order applied (a test read, so it scans)."""
        return [p for p, _ in self._copies()]

    def _copies(self) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        start = 0
        while True:
            notes = self.app.recorder.select_notifications(start, 1000, inclusive_of_start=False)
            if not notes:
                return out
            for note in notes:
                if note.topic == "mirror:Mirrored.Copied":
                    copied = self.app.mapper.to_domain_event(note)
                    out.append((copied.position, copied.timestamp.isoformat()))
            start = notes[-1].id


__all__ = ["MirrorService", "ServiceConfig"]
