"""A village collective (村集体经济组织) as finance knows it from the registry's events: the
village it is, its name and the community it belongs to now. Ledgers are opened only for
collectives the registry has told of, and a village's community scopes who may read its books."""

from __future__ import annotations

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


class Branch(Aggregate):
    """A village's party branch (村党支部) as finance knows it: who holds a post in it now.
    Its members are one of the village's two committees (两委), whom F24 keeps off the finance
    group's review."""

    @staticmethod
    def create_id(organisation_id: str) -> UUID:
        return natural_id("branch", organisation_id)

    @event("Known")
    def __init__(self, organisation_id: str, village_id: str, actor: ActorDict) -> None:
        self.organisation_id = organisation_id
        self.village_id = village_id
        self.holders: dict[str, str] = {}  # appointment id -> person id

    @event("Appointed")
    def appoint(self, appointment_id: str, person_id: str, post: str, since: str) -> None:
        self.holders[appointment_id] = person_id

    @event("AppointmentEnded")
    def end(self, appointment_id: str, until: str) -> None:
        self.holders.pop(appointment_id, None)

    def holds_post(self, person_id: str) -> bool:
        return person_id in self.holders.values()


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
