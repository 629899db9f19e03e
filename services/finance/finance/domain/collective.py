"""A village collective (村集体经济组织) as finance knows it from the registry's events: the
village it is, its name and the community it belongs to now. Ledgers are opened only for
collectives the registry has told of, and a village's community scopes who may read its books."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import Aggregate, event

from finance.domain.common import IDS, ActorDict


@dataclass
class Collective(Aggregate, created_event_name="Known"):
    """Finance's mirror of one registry village."""

    village_id: str
    name: str
    community_id: str
    actor: ActorDict
    branch_id: str | None = field(default=None, init=False)  # its party branch's organisation id

    create_id = IDS.keyed_by("collective", "village_id")

    @event("BranchKnown")
    def branch_known(self, organisation_id: str) -> None:
        self.branch_id = organisation_id

    @event("Moved")
    def move(self, community_id: str, effective_date: str, actor: ActorDict) -> None:
        self.community_id = community_id


class Posts:
    """A body whose posts are held [since, until): ``holders`` by appointment id (the person,
    since, until)."""

    holders: dict[str, dict[str, Any]]

    def holding(self, on: str) -> set[str]:
        """Who held a post on the day ``on``."""
        return held_on(self.holders, on)


@dataclass
class Branch(Posts, Aggregate, created_event_name="Known"):
    """A village's party branch (村党支部) as finance knows it: who held which post when. Its
    members are one of the village's two committees (两委), whom F24 keeps off the finance
    group's review."""

    organisation_id: str
    village_id: str
    actor: ActorDict
    holders: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)

    create_id = IDS.keyed_by("branch", "organisation_id")

    @event("Appointed")
    def take(self, appointment_id: str, person_id: str, post: str, since: str) -> None:
        self.holders[appointment_id] = {"person_id": person_id, "since": since, "until": None}

    @event("AppointmentEnded")
    def end(self, appointment_id: str, until: str) -> None:
        self.holders[appointment_id]["until"] = until


@dataclass
class Committee(Posts, Aggregate, created_event_name="Known"):
    """A village's villagers' committee (村民委员会) as finance knows it from the registry: who
    held which post when; the other of the village's two committees (两委, F24)."""

    village_id: str
    actor: ActorDict
    holders: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)

    create_id = IDS.keyed_by("committee", "village_id")

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


@dataclass
class Household(Aggregate, created_event_name="Known"):
    """A registry household as finance knows it: the village it belongs to, so that a resident
    objects only to their own village's disclosures."""

    household_id: str
    village_id: str
    actor: ActorDict

    create_id = IDS.keyed_by("household", "household_id")
