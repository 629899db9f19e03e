"""A community service team (社区服务队) with its six work groups, leader and members.

A member's phone and duties are printed on every household's contact card (联系卡制度), so each
change is its own event for the outreach service to follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import TEAM_GROUPS, ActorDict, check_end, found, violation

from registry.domain.common import IDS

GROUPS = {key: zh for key, (zh, _en) in TEAM_GROUPS.items()}
NOT_A_MEMBER = (
    "not_team_member",
    "此人不是本服务队成员",
    "the person is not a member of this team",
)


@dataclass
class ServiceTeam(Aggregate, created_event_name="Formed"):
    """The one service team of a community (the Community aggregate refuses a second)."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    community_id: str
    name: str
    groups: dict[str, str]
    actor: ActorDict
    leader_id: str | None = field(default=None, init=False)
    members: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)

    create_id = IDS.keyed_by("team", "community_id")

    def _member(self, person_id: str) -> dict[str, Any]:
        return found(self.members, person_id, "person_id", NOT_A_MEMBER)

    def join(
        self,
        person_id: str,
        group: str,
        name: str,
        phone: str,
        duties: str,
        since: str,
        actor: ActorDict,
    ) -> None:
        """Add a member to one work group, with the phone and duties shown on contact cards."""
        if group not in self.groups:
            raise violation("unknown_group", "没有该工作组", "no such work group", "group")
        if person_id in self.members:
            raise violation(
                "already_team_member",
                "此人已是本服务队成员",
                "the person is already a member of this team",
                "person_id",
            )
        self._member_joined(self.community_id, person_id, group, name, phone, duties, since, actor)

    @event("MemberJoined")
    def _member_joined(
        self,
        community_id: str,
        person_id: str,
        group: str,
        name: str,
        phone: str,
        duties: str,
        since: str,
        actor: ActorDict,
    ) -> None:
        self.members[person_id] = {
            "group": group,
            "name": name,
            "phone": phone,
            "duties": duties,
            "since": since,
        }

    def leave(self, person_id: str, until: str, reason: str, actor: ActorDict) -> None:
        """A member leaves the team (the leader too, leaving the team without a leader)."""
        check_end(self._member(person_id)["since"], until)
        self._member_left(person_id, until, reason, actor)

    @event("MemberLeft")
    def _member_left(self, person_id: str, until: str, reason: str, actor: ActorDict) -> None:
        del self.members[person_id]
        if self.leader_id == person_id:
            self.leader_id = None

    def appoint_leader(self, person_id: str, since: str, actor: ActorDict) -> None:
        """Make a current member the team leader (队长)."""
        self._member(person_id)
        if self.leader_id == person_id:
            raise violation(
                "already_leader", "此人已是队长", "the person already leads the team", "person_id"
            )
        self._leader_appointed(person_id, since, actor)

    @event("LeaderAppointed")
    def _leader_appointed(self, person_id: str, since: str, actor: ActorDict) -> None:
        self.leader_id = person_id

    def change_phone(self, person_id: str, phone: str, actor: ActorDict) -> None:
        """Change the phone number printed for a member."""
        if self._member(person_id)["phone"] == phone:
            raise violation(
                "phone_unchanged",
                "新电话号码与原号码相同",
                "the new phone number is the same as the old one",
                "phone",
            )
        self._phone_changed(person_id, phone, actor)

    @event("MemberPhoneChanged")
    def _phone_changed(self, person_id: str, phone: str, actor: ActorDict) -> None:
        self.members[person_id]["phone"] = phone

    def change_duties(self, person_id: str, duties: str, actor: ActorDict) -> None:
        """Change the duties printed for a member."""
        if self._member(person_id)["duties"] == duties:
            raise violation("duties_unchanged", "职责未变化", "the duties are unchanged", "duties")
        self._duties_changed(person_id, duties, actor)

    @event("MemberDutiesChanged")
    def _duties_changed(self, person_id: str, duties: str, actor: ActorDict) -> None:
        self.members[person_id]["duties"] = duties
