"""A rural community (社区): formed from villages, has one general branch and one service team."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from registry.domain.common import ActorDict, natural_id, violation


class Community(Aggregate):
    """One of the district's communities (立柱, 塔桥, 下泊, 柏乡 in the policy)."""

    id: UUID  # decided by the application (natural or from the idempotency key)

    @staticmethod
    def create_id(name: str) -> UUID:
        return natural_id("community", name)

    @event("Established")
    def __init__(self, name: str, name_en: str, district_id: str, actor: ActorDict) -> None:
        self.name = name
        self.name_en = name_en
        self.district_id = district_id
        self.team_id: str | None = None

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
