"""Where things are: villages and teams, each pointing at its community (from registry)."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate, event

from outreach.domain.common import IDS, ActorDict


@dataclass
class Place(Aggregate, created_event_name="Located"):
    """A village (kind ``village``) or a service team (kind ``team``) and its community."""

    kind: str
    key: str
    community_id: str
    name: str
    actor: ActorDict

    create_id = IDS.keyed_by("place", "kind", "key")

    @event("Moved")
    def moved(self, community_id: str, effective_date: str, actor: ActorDict) -> None:
        self.community_id = community_id


@dataclass
class Resident(Aggregate, created_event_name="Registered"):
    """A registered person as far as cards need: name, phone, party membership."""

    person_id: str
    name: str
    phone: str
    party_member: bool
    actor: ActorDict

    create_id = IDS.keyed_by("person", "person_id")

    @event("PhoneChanged")
    def phone_changed(self, phone: str, actor: ActorDict) -> None:
        self.phone = phone

    @event("BecamePartyMember")
    def became_party_member(self, actor: ActorDict) -> None:
        self.party_member = True
