"""Casework's own copy of what the registry publishes and routing needs: communities, villages,
households and service teams. Changed only by the registry inbox (exactly once per upstream
event); read through the projections."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from casework.domain.common import natural_id


class Community(Aggregate):
    id: UUID

    @staticmethod
    def create_id(community_id: str) -> UUID:
        return natural_id("community", community_id)

    @event("Learned")
    def __init__(self, community_id: str, name: str) -> None:
        self.community_id, self.name = community_id, name
        self.team_id: str | None = None


class Village(Aggregate):
    id: UUID

    @staticmethod
    def create_id(village_id: str) -> UUID:
        return natural_id("village", village_id)

    @event("Learned")
    def __init__(self, village_id: str, community_id: str, name: str) -> None:
        self.village_id, self.community_id, self.name = village_id, community_id, name

    @event("Moved")
    def move(self, community_id: str, effective_date: str) -> None:
        self.community_id = community_id


class Household(Aggregate):
    id: UUID

    @staticmethod
    def create_id(household_id: str) -> UUID:
        return natural_id("household", household_id)

    @event("Learned")
    def __init__(self, household_id: str, village_id: str, head_id: str) -> None:
        self.household_id, self.village_id, self.head_id = household_id, village_id, head_id
        self.members = [head_id]

    @event("MemberAdded")
    def add_member(self, person_id: str) -> None:
        if person_id not in self.members:
            self.members.append(person_id)

    @event("MemberRemoved")
    def remove_member(self, person_id: str) -> None:
        if person_id in self.members:
            self.members.remove(person_id)


class Team(Aggregate):
    """A community's service team: who is in which work group (for routing)."""

    id: UUID

    @staticmethod
    def create_id(team_id: str) -> UUID:
        return natural_id("team", team_id)

    @event("Learned")
    def __init__(self, team_id: str, community_id: str, name: str) -> None:
        self.team_id, self.community_id, self.name = team_id, community_id, name
        self.members: dict[str, dict[str, Any]] = {}
        self.leader_id: str | None = None

    @event("MemberJoined")
    def join(self, person_id: str, group: str, name: str, since: str) -> None:
        self.members[person_id] = {"group": group, "name": name, "since": since}

    @event("MemberLeft")
    def leave(self, person_id: str, until: str) -> None:
        self.members.pop(person_id, None)
        if self.leader_id == person_id:
            self.leader_id = None

    @event("LeaderAppointed")
    def appoint_leader(self, person_id: str) -> None:
        self.leader_id = person_id
