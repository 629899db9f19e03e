"""A party member's responsibility zone (党员责任区) and the households they contact (党员联户)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, check_end, found, violation

from registry.domain.common import IDS

NOT_LINKED = (
    "household_not_linked",
    "该户不由本党员联系",
    "the household is not linked to this member",
)


@dataclass
class ResponsibilityZone(Aggregate, created_event_name="Assigned"):
    """One zone per party member; links households up to a configured maximum (default 10)."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    party_member_id: str
    community_id: str
    village_id: str | None
    name: str
    description: str
    actor: ActorDict
    households: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)

    create_id = IDS.keyed_by("zone", "party_member_id")

    @classmethod
    def assign(
        cls,
        zone_id: UUID,
        party_member_id: str,
        is_party_member: bool,
        community_id: str,
        village_id: str | None,
        name: str,
        description: str,
        actor: ActorDict,
    ) -> ResponsibilityZone:
        """Give a party member a responsibility zone; only party members may hold one."""
        if not is_party_member:
            raise violation(
                "not_party_member",
                "只有党员才能划定党员责任区",
                "only a party member can be given a responsibility zone",
                "party_member_id",
            )
        # The caller decides the id (any UUID, not necessarily create_id's).
        return cls(zone_id, party_member_id, community_id, village_id, name, description, actor)

    def link(
        self,
        household_id: str,
        since: str,
        max_households: int,
        linked_to_other: bool,
        actor: ActorDict,
    ) -> None:
        """Link a household to this party member (RULES §5: 5-10 households each)."""
        if household_id in self.households:
            raise violation(
                "household_already_linked",
                "该户已由本党员联系",
                "the household is already linked to this member",
                "household_id",
            )
        if linked_to_other:
            raise violation(
                "household_linked_to_other_member",
                "该户已由其他党员联系",
                "the household is already linked to another party member",
                "household_id",
            )
        if len(self.households) >= max_households:
            raise violation(
                "household_limit_reached",
                f"每名党员联系户数不得超过{max_households}户",
                f"a party member may link at most {max_households} households",
                "household_id",
            )
        self._linked(self.party_member_id, household_id, since, actor)

    @event("HouseholdLinked")
    def _linked(
        self, party_member_id: str, household_id: str, since: str, actor: ActorDict
    ) -> None:
        self.households[household_id] = {"since": since}

    def unlink(self, household_id: str, until: str, reason: str, actor: ActorDict) -> None:
        """End the link to a household."""
        link = found(self.households, household_id, "household_id", NOT_LINKED)
        check_end(link["since"], until)
        self._unlinked(self.party_member_id, household_id, until, reason, actor)

    @event("HouseholdUnlinked")
    def _unlinked(
        self, party_member_id: str, household_id: str, until: str, reason: str, actor: ActorDict
    ) -> None:
        del self.households[household_id]
