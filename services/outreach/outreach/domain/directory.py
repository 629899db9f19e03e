"""A community's directory (社区通讯录): its service team as printed on contact cards.

Kept from registry events (team.*, community.established). The card's team section is what
every household of the community shares: the team leader, and one contact per work group
(the member who joined the group first). A change to a member who is not shown changes no card.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import TEAM_GROUPS

from outreach.domain.common import IDS, ActorDict

GROUP_LABELS = {
    "leader": ("队长", "team leader"),
    **TEAM_GROUPS,
    "party_member": ("联户党员", "linked party member"),
}


def contact(role: str, person_id: str, name: str, phone: str, duties: str) -> dict[str, Any]:
    """One line of a card: role key, labels, person, name, phone, duties."""
    zh, en = GROUP_LABELS.get(role, (role, role))
    return {
        "role": role,
        "role_zh": zh,
        "role_en": en,
        "person_id": person_id,
        "name": name,
        "phone": phone,
        "duties": duties,
    }


@dataclass
class Directory(Aggregate, created_event_name="Opened"):
    """One per community; created by the first registry event that names the community."""

    community_id: str
    actor: ActorDict
    name: str = field(default="", init=False)
    team_id: str | None = field(default=None, init=False)
    team_name: str = field(default="", init=False)
    groups: list[str] = field(default_factory=list, init=False)
    leader_id: str | None = field(default=None, init=False)
    members: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    joined: int = field(default=0, init=False)  # order of joining: each group's first member
    section_hash: str = field(default="", init=False)  # of the section cards should show now

    create_id = IDS.keyed_by("directory", "community_id")

    @event("Named")
    def named(self, name: str, actor: ActorDict) -> None:
        self.name = name

    @event("TeamFormed")
    def team_formed(
        self, team_id: str, team_name: str, groups: list[str], actor: ActorDict
    ) -> None:
        self.team_id, self.team_name, self.groups = team_id, team_name, list(groups)

    @event("LeaderAppointed")
    def leader_appointed(self, person_id: str, actor: ActorDict) -> None:
        self.leader_id = person_id

    @event("MemberJoined")
    def member_joined(
        self,
        person_id: str,
        group: str,
        name: str,
        phone: str,
        duties: str,
        since: str,
        actor: ActorDict,
    ) -> None:
        self.joined += 1
        self.members[person_id] = {
            "group": group,
            "name": name,
            "phone": phone,
            "duties": duties,
            "since": since,
            "order": self.joined,
        }

    @event("MemberLeft")
    def member_left(self, person_id: str, actor: ActorDict) -> None:
        self.members.pop(person_id, None)
        if self.leader_id == person_id:
            self.leader_id = None

    @event("MemberPhoneChanged")
    def phone_changed(self, person_id: str, phone: str, actor: ActorDict) -> None:
        if person_id in self.members:
            self.members[person_id]["phone"] = phone

    @event("MemberDutiesChanged")
    def duties_changed(self, person_id: str, duties: str, actor: ActorDict) -> None:
        if person_id in self.members:
            self.members[person_id]["duties"] = duties

    def team_section(self) -> list[dict[str, Any]]:
        """The contacts every household of the community finds on its card."""
        out: list[dict[str, Any]] = []
        leader = self.members.get(self.leader_id or "")
        if leader is not None and self.leader_id:
            out.append(
                contact("leader", self.leader_id, leader["name"], leader["phone"], leader["duties"])
            )
        for group in self.groups or TEAM_GROUPS:
            first = min(
                (
                    (m["since"], m["order"], pid)
                    for pid, m in self.members.items()
                    if m["group"] == group
                ),
                default=None,
            )
            if first is not None:
                pid = first[2]
                m = self.members[pid]
                out.append(contact(group, pid, m["name"], m["phone"], m["duties"]))
        return out

    def revise_section(self, actor: ActorDict) -> bool:
        """Record that the cards' team section changed (cards still showing the old one are
        then due for re-issue); False if it is what the cards show already."""
        digest = section_digest(self.team_section())
        if digest == self.section_hash:
            return False
        self._revised(digest, actor)
        return True

    @event("SectionRevised")
    def _revised(self, section_hash: str, actor: ActorDict) -> None:
        self.section_hash = section_hash

    def member_ids(self) -> frozenset[str]:
        return frozenset(self.members)


def section_digest(section: list[dict[str, Any]]) -> str:
    """SHA-256 of a team section (empty text for an empty section)."""
    if not section:
        return ""
    return hashlib.sha256(
        json.dumps(section, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
