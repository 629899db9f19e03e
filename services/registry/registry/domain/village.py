"""A village (村): belongs to exactly one community at a time; moves are dated events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, violation

from registry.domain.common import IDS


@dataclass
class Village(Aggregate, created_event_name="Registered"):
    """A village with its own party branch and villagers' committee, in one community."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    name: str
    community_id: str
    registered_on: str
    sample: bool
    actor: ActorDict
    # (effective date, community) in date order: which community the village was in when.
    history: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.history = [{"since": self.registered_on, "community_id": self.community_id}]

    create_id = IDS.keyed_by("village", "name")

    def community_on(self, on: str) -> str | None:
        """The community the village belonged to on the day ``on`` (None before it existed)."""
        found = None
        for record in self.history:
            if record["since"] <= on:
                found = record["community_id"]
        return found

    def move(self, to_community_id: str, effective_date: str, actor: ActorDict) -> None:
        """Move the village to another community from ``effective_date``."""
        if to_community_id == self.community_id:
            raise violation(
                "village_already_in_community",
                "该村已属于目标社区",
                "the village already belongs to that community",
                "to_community_id",
            )
        last = self.history[-1]["since"]
        if effective_date <= last:
            raise violation(
                "move_not_after_previous",
                f"迁移生效日期须晚于上次变更（{last}）",
                f"the move must take effect after the last change ({last})",
                "effective_date",
            )
        self._moved(self.community_id, to_community_id, effective_date, actor)

    @event("VillageMoved")
    def _moved(
        self, from_community_id: str, to_community_id: str, effective_date: str, actor: ActorDict
    ) -> None:
        self.community_id = to_community_id
        self.history.append({"since": effective_date, "community_id": to_community_id})
