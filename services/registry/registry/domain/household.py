"""A household (户): head, members with their relation to the head, address, village."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, check_end, found, violation

RELATIONS = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
NOT_A_MEMBER = ("not_a_member", "此人不是本户成员", "the person is not a member of this household")


@dataclass
class Household(Aggregate, created_event_name="Registered"):
    """A household; its address is kept at the villager-group level (村民小组) only."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    village_id: str
    head_id: str
    address: str
    since: str
    sample: bool
    actor: ActorDict
    members: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.members = {self.head_id: {"relation": "head", "since": self.since}}

    def add_member(self, person_id: str, relation: str, since: str, actor: ActorDict) -> None:
        """Add a person to the household (birth, marriage, moving in)."""
        if person_id in self.members:
            raise violation(
                "already_member",
                "此人已是本户成员",
                "the person is already a member of this household",
                "person_id",
            )
        if relation == "head":
            raise violation(
                "second_head", "一户只有一名户主", "a household has one head", "relation"
            )
        self._member_added(person_id, relation, since, actor)

    @event("MemberAdded")
    def _member_added(self, person_id: str, relation: str, since: str, actor: ActorDict) -> None:
        self.members[person_id] = {"relation": relation, "since": since}

    def remove_member(self, person_id: str, until: str, reason: str, actor: ActorDict) -> None:
        """Remove a member (death, marriage out, moving away); the head cannot be removed."""
        member = found(self.members, person_id, "person_id", NOT_A_MEMBER)
        if person_id == self.head_id:
            raise violation(
                "cannot_remove_head", "不能移除户主", "the head cannot be removed", "person_id"
            )
        check_end(member["since"], until)
        self._member_removed(person_id, until, reason, actor)

    @event("MemberRemoved")
    def _member_removed(self, person_id: str, until: str, reason: str, actor: ActorDict) -> None:
        del self.members[person_id]
