"""A village collective (村集体经济组织) as finance knows it from the registry's events: the
village it is, its name and the community it belongs to now. Ledgers are opened only for
collectives the registry has told of, and a village's community scopes who may read its books."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from finance.domain.common import ActorDict, natural_id


class Collective(Aggregate):
    """Finance's mirror of one registry village."""

    @staticmethod
    def create_id(village_id: str) -> UUID:
        return natural_id("collective", village_id)

    @event("Known")
    def __init__(self, village_id: str, name: str, community_id: str, actor: ActorDict) -> None:
        self.village_id = village_id
        self.name = name
        self.community_id = community_id
        self.branch_id: str | None = None  # its party branch's organisation id

    @event("BranchKnown")
    def branch_known(self, organisation_id: str) -> None:
        self.branch_id = organisation_id

    @event("Moved")
    def move(self, community_id: str, effective_date: str, actor: ActorDict) -> None:
        self.community_id = community_id


class Posts:
    """A body whose posts are held [since, until): ``holders`` by appointment id."""

    holders: dict[str, dict[str, Any]]

    def holding(self, on: str) -> set[str]:
        """Who held a post on the day ``on``."""
        return held_on(self.holders, on)


class Branch(Posts, Aggregate):
    """A village's party branch (村党支部) as finance knows it: who held which post when. Its
    members are one of the village's two committees (两委), whom F24 keeps off the finance
    group's review."""

    @staticmethod
    def create_id(organisation_id: str) -> UUID:
        return natural_id("branch", organisation_id)

    @event("Known")
    def __init__(self, organisation_id: str, village_id: str, actor: ActorDict) -> None:
        self.organisation_id = organisation_id
        self.village_id = village_id
        self.holders: dict[str, dict[str, Any]] = {}  # appointment id -> person, since, until

    @event("Appointed")
    def appoint(self, appointment_id: str, person_id: str, post: str, since: str) -> None:
        self.holders[appointment_id] = {"person_id": person_id, "since": since, "until": None}

    @event("AppointmentEnded")
    def end(self, appointment_id: str, until: str) -> None:
        self.holders[appointment_id]["until"] = until


class Committee(Posts, Aggregate):
    """A village's villagers' committee (村民委员会) as finance knows it from the registry: who
    held which post when; the other of the village's two committees (两委, F24)."""

    @staticmethod
    def create_id(village_id: str) -> UUID:
        return natural_id("committee", village_id)

    @event("Known")
    def __init__(self, village_id: str, actor: ActorDict) -> None:
        self.village_id = village_id
        self.holders: dict[str, dict[str, Any]] = {}  # appointment id -> person, since, until

    @event("PostTaken")
    def take(self, appointment_id: str, person_id: str, post: str, since: str) -> None:
        self.holders[appointment_id] = {"person_id": person_id, "since": since, "until": None}

    @event("PostEnded")
    def end(self, appointment_id: str, until: str) -> None:
        self.holders[appointment_id]["until"] = until


def held_on(holders: dict[str, dict[str, Any]], on: str) -> set[str]:
    """The persons of ``holders`` (posts held [since, until)) who held theirs on ``on``."""
    return {
        h["person_id"]
        for h in holders.values()
        if h["since"] <= on and (h["until"] is None or on < h["until"])
    }


def ended(holders: dict[str, dict[str, Any]], appointment_id: str) -> bool:
    """Whether the post is unknown here or already ended (a replayed end changes nothing)."""
    return holders.get(appointment_id, {"until": "known"})["until"] is not None


class Household(Aggregate):
    """A registry household as finance knows it: the village it belongs to, so that a resident
    objects only to their own village's disclosures."""

    @staticmethod
    def create_id(household_id: str) -> UUID:
        return natural_id("household", household_id)

    @event("Known")
    def __init__(self, household_id: str, village_id: str, actor: ActorDict) -> None:
        self.household_id = household_id
        self.village_id = village_id
