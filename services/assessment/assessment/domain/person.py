"""A person as the registry announced them: who may hold pledges (党员承诺践诺, RULES §5).

Kept from registry's ``person.registered`` and ``person.became_party_member`` events, so that
a pledge book names a party member the registry knows, under the registry's name for them.
Only the name and the party membership are kept (no phone, no ID number: assessment needs
neither; 个人信息保护法 Art. 6, minimum necessary). A resident who is not a party member is kept
too, because the registry may record their membership later and says only the date then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate, event

from assessment.domain.common import IDS, violation


@dataclass
class Person(Aggregate, created_event_name="Registered"):
    person_id: str
    name: str
    party_member: bool
    source: str
    # None: registered as a party member, the registry recorded no date of joining
    joined_on: str | None = field(default=None, init=False)

    create_id = IDS.keyed_by("person", "person_id")

    def joined_party(self, joined_on: str, source: str) -> bool:
        """The registry recorded the person's party membership from ``joined_on``; False if
        it was known already (a redelivery changes nothing)."""
        if self.party_member:
            return False
        self._joined_party(joined_on, source)
        return True

    @event("JoinedParty")
    def _joined_party(self, joined_on: str, source: str) -> None:
        self.party_member = True
        self.joined_on = joined_on

    def check_member_in(self, year: int) -> None:
        """Refuse pledges of someone who is not a party member in ``year``."""
        if not self.party_member:
            raise violation(
                "not_party_member",
                "此人在登记服务中不是党员，不能登记党员承诺",
                "the registry does not record this person as a party member",
                "member_id",
            )
        if self.joined_on is not None and self.joined_on > f"{year}-12-31":
            raise violation(
                "not_party_member",
                f"此人{self.joined_on}入党，{year}年尚不是党员",
                f"the person joined the party on {self.joined_on}, after {year}",
                "member_id",
                joined_on=self.joined_on,
            )
