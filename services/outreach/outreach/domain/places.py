"""Where things are: villages and teams, each pointing at its community (from registry)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from outreach.domain.common import ActorDict, natural_id


class Place(Aggregate):
    """A village (kind ``village``) or a service team (kind ``team``) and its community."""

    @staticmethod
    def create_id(kind: str, key: str) -> UUID:
        return natural_id("place", kind, key)

    @event("Located")
    def __init__(self, kind: str, key: str, community_id: str, name: str, actor: ActorDict) -> None:
        self.kind, self.key, self.community_id, self.name = kind, key, community_id, name

    @event("Moved")
    def moved(self, community_id: str, effective_date: str, actor: ActorDict) -> None:
        self.community_id = community_id


class Resident(Aggregate):
    """A registered person as far as cards need: name, phone, party membership."""

    @staticmethod
    def create_id(person_id: str) -> UUID:
        return natural_id("person", person_id)

    @event("Registered")
    def __init__(
        self, person_id: str, name: str, phone: str, party_member: bool, actor: ActorDict
    ) -> None:
        self.person_id, self.name, self.phone = person_id, name, phone
        self.party_member = party_member

    @event("PhoneChanged")
    def phone_changed(self, phone: str, actor: ActorDict) -> None:
        self.phone = phone

    @event("BecamePartyMember")
    def became_party_member(self, actor: ActorDict) -> None:
        self.party_member = True
