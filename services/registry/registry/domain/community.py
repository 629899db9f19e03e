"""A rural community (社区): formed from villages, has one general branch and one service team."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, violation

from registry.domain.common import IDS


@dataclass
class Community(Aggregate, created_event_name="Established"):
    """One of the district's communities (立柱, 塔桥, 下泊, 柏乡 in the policy)."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    name: str
    name_en: str
    district_id: str
    actor: ActorDict
    team_id: str | None = field(default=None, init=False)

    create_id = IDS.keyed_by("community", "name")

    def form_team(self, team_id: str, actor: ActorDict) -> None:
        """Note that the community's service team is formed; a community has only one."""
        if self.team_id is not None:
            raise violation(
                "team_already_formed",
                f"{self.name}社区已有服务队",
                f"community {self.name_en} already has a service team",
                "community_id",
            )
        self._team_formed(team_id, actor)

    @event("TeamFormed")
    def _team_formed(self, team_id: str, actor: ActorDict) -> None:
        self.team_id = team_id
