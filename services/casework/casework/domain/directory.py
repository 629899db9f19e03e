"""Casework's own copy of what the registry publishes and routing needs: communities, villages,
households and service teams. Changed only by the registry inbox (exactly once per upstream
event); read through the projections."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from casework.domain.common import natural_id


class Copy(Aggregate):
    """Casework's copy of one of the registry's facts, learned once: its id derives from the
    registry's id for it, the field named after the kind (``village_id`` for a ``Village``)."""

    @classmethod
    def create_id(cls, key: str) -> UUID:
        return natural_id(cls.__name__.lower(), key)


class Community(Copy):
    id: UUID

    @event("Learned")
    def __init__(self, community_id: str, name: str) -> None:
        self.community_id, self.name = community_id, name
        self.team_id: str | None = None


class Village(Copy):
    id: UUID

    @event("Learned")
    def __init__(self, village_id: str, community_id: str, name: str) -> None:
        self.village_id, self.community_id, self.name = village_id, community_id, name

    @event("Moved")
    def move(self, community_id: str, effective_date: str) -> None:
        self.community_id = community_id


class Household(Copy):
    id: UUID

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


class Team(Copy):
    """A community's service team: who is in which work group (for routing)."""

    id: UUID

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
