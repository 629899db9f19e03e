"""A household and its contact card (便民服务联系卡), version by version.

The card is content-addressed: ``issue_card`` compares the SHA-256 of the contacts with the
current version's and issues nothing when they are equal, so a re-issue triggered twice (or by a
change that does not show on the card) leaves one version. Old versions stay in the log.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import Aggregate, event

from outreach.domain.common import IDS, ActorDict, natural_id, violation


def content_hash(contacts: list[dict[str, Any]]) -> str:
    text = json.dumps(contacts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Household(Aggregate, created_event_name="Registered"):
    """Outreach's view of a registry household: place, linked party member, card versions."""

    household_id: str
    village_id: str
    community_id: str
    head_id: str
    address: str
    actor: ActorDict
    party_member_id: str | None = field(default=None, init=False)
    link_since: str | None = field(default=None, init=False)
    card_version: int = field(default=0, init=False)
    card_hash: str = field(default="", init=False)
    section_hash: str = field(default="", init=False)  # the team section the current card shows
    distributed: dict[int, dict[str, Any]] = field(default_factory=dict, init=False)

    create_id = IDS.keyed_by("household", "household_id")

    @staticmethod
    def card_id_of(household_id: str) -> str:
        return str(natural_id("card", household_id))

    @property
    def card_id(self) -> str:
        return self.card_id_of(self.household_id)

    @event("Moved")
    def moved(self, community_id: str, effective_date: str, actor: ActorDict) -> None:
        self.community_id = community_id

    @event("Linked")
    def linked(self, party_member_id: str, since: str, actor: ActorDict) -> None:
        self.party_member_id, self.link_since = party_member_id, since

    def unlink(self, party_member_id: str, until: str, actor: ActorDict) -> bool:
        """End the link if it is to this member (an unlink of an older link changes nothing)."""
        if self.party_member_id != party_member_id:
            return False
        self._unlinked(party_member_id, until, actor)
        return True

    @event("Unlinked")
    def _unlinked(self, party_member_id: str, until: str, actor: ActorDict) -> None:
        self.party_member_id, self.link_since = None, None

    def issue_card(
        self,
        contacts: list[dict[str, Any]],
        section_hash: str,
        issued_on: str,
        reason: str,
        actor: ActorDict,
    ) -> bool:
        """Issue a new card version if its contacts differ from the current one's.

        ``section_hash`` names the community's team section the contacts were built from."""
        digest = content_hash(contacts)
        if digest == self.card_hash or not contacts:
            return False
        self._card_issued(
            self.card_id,
            self.household_id,
            self.community_id,
            self.village_id,
            self.card_version + 1,
            digest,
            section_hash,
            contacts,
            issued_on,
            reason,
            actor,
        )
        return True

    @event("CardIssued")
    def _card_issued(  # noqa: PLR0913, PLR0917 - the stored event's fields
        self,
        card_id: str,
        household_id: str,
        community_id: str,
        village_id: str,
        version: int,
        content_hash: str,
        section_hash: str,
        contacts: list[dict[str, Any]],
        issued_on: str,
        reason: str,
        actor: ActorDict,
    ) -> None:
        self.card_version, self.card_hash = version, content_hash
        self.section_hash = section_hash

    def distribute(
        self,
        version: int,
        distributed_on: str,
        delivered_by: str,
        acknowledged_by: str,
        actor: ActorDict,
    ) -> None:
        """Record that a card version reached the household (only the current version)."""
        if version != self.card_version:
            raise violation(
                "card_version_not_current",
                f"只能发放现行版本的联系卡（现行为第{self.card_version}版）",
                f"only the current card version ({self.card_version}) can be distributed",
                "version",
            )
        if version in self.distributed:
            raise violation(
                "card_already_distributed",
                "该版本联系卡已发放到户",
                "this card version was already distributed",
                "version",
            )
        self._distributed(
            self.card_id,
            self.household_id,
            self.community_id,
            version,
            distributed_on,
            delivered_by,
            acknowledged_by,
            actor,
        )

    @event("CardDistributed")
    def _distributed(
        self,
        card_id: str,
        household_id: str,
        community_id: str,
        version: int,
        distributed_on: str,
        delivered_by: str,
        acknowledged_by: str,
        actor: ActorDict,
    ) -> None:
        self.distributed[version] = {
            "on": distributed_on,
            "by": delivered_by,
            "acknowledged_by": acknowledged_by,
        }
