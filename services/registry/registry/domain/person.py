"""A person known to the registry: resident, cadre, party member (one record, several kinds)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, violation

KINDS = {"resident": "居民", "cadre": "干部", "party_member": "党员"}
GENDERS = {"male": "男", "female": "女"}


@dataclass
class Person(Aggregate, created_event_name="Registered"):
    """Name, gender, ID number, phone and village of a person; personal data, masked on display."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    name: str
    gender: str
    id_number: str
    phone: str
    village_id: str | None
    kinds: list[str]
    sample: bool
    actor: ActorDict

    def __post_init__(self) -> None:
        self.kinds = list(self.kinds)  # grows on joining the party; the event's list must not

    @property
    def is_party_member(self) -> bool:
        return "party_member" in self.kinds

    def change_phone(self, phone: str, actor: ActorDict) -> None:
        """Record a new phone number."""
        if phone == self.phone:
            raise violation(
                "phone_unchanged",
                "新电话号码与原号码相同",
                "the new phone number is the same as the old one",
                "phone",
            )
        self._phone_changed(phone, actor)

    @event("PhoneChanged")
    def _phone_changed(self, phone: str, actor: ActorDict) -> None:
        self.phone = phone

    def record_party_membership(self, joined_on: str, actor: ActorDict) -> None:
        """Record that the person is a party member (入党) from ``joined_on``."""
        if self.is_party_member:
            raise violation(
                "already_party_member",
                "此人已登记为党员",
                "the person is already recorded as a party member",
                "person_id",
            )
        self._became_party_member(joined_on, actor)

    @event("BecamePartyMember")
    def _became_party_member(self, joined_on: str, actor: ActorDict) -> None:
        self.kinds.append("party_member")
