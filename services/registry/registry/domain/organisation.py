"""Party organisations (党组织) and their posts (书记/副书记/委员), held by dated appointments.

A community's general branch (社区党总支) follows the policy's composition rules (实施意见 三(一)):
- secretary (书记): held concurrently by a member of the district leadership team;
- deputy secretaries (副书记): one district organ cadre and one village party branch secretary
  from within the community (so at most one of each kind);
- committee members (委员): the other current village party branch secretaries of the community.
The application gathers the facts about the person (``Eligibility``); this aggregate decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, violation

from registry.domain.common import HoldsPosts, check_ending, check_seat

KINDS = {
    "general_branch": "社区党总支",
    "functional_branch": "功能型党支部",
    "village_branch": "村党支部",
    "cooperative_branch": "合作社党总支",
}
POSTS = {"secretary": "书记", "deputy_secretary": "副书记", "member": "委员"}
SEAT_WORDS = (
    (
        "此人已在本组织任职（副书记不得兼任委员）",
        "the person already holds a post here (a deputy may not also be a member)",
    ),
    ("书记职位已有人担任", "the secretary post is already filled"),
)
BASES = {
    "district_leader": "区工管委领导班子成员",
    "organ_cadre": "区机关干部",
    "village_secretary": "社区内村党支部书记",
    "": "",
}


@dataclass(frozen=True)
class Eligibility:
    """What is true of a person on the appointment date, as far as the rules need to know."""

    district_leader: bool = False
    organ_cadre: bool = False
    village_secretary_here: bool = False  # secretary of a village branch in this community


@dataclass
class PartyOrganisation(HoldsPosts, Aggregate, created_event_name="Established"):
    """A party organisation: general branch, functional branch, village branch, cooperative."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    kind: str
    name: str
    community_id: str | None
    village_id: str | None
    parent_id: str | None
    actor: ActorDict
    appointments: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)

    def appoint(
        self,
        appointment_id: str,
        person_id: str,
        post: str,
        since: str,
        facts: Eligibility,
        actor: ActorDict,
    ) -> None:
        """Appoint a person to a post from ``since``, if the organisation's rules allow it."""
        if appointment_id in self.appointments:
            raise violation(
                "appointment_exists", "该任职已登记", "appointment already recorded", "person_id"
            )
        holding = self.current(since)
        check_seat(holding, person_id, post, "secretary", SEAT_WORDS)
        basis = general_branch_basis(post, facts, holding) if self.kind == "general_branch" else ""
        self._appointed(appointment_id, self.community_id, person_id, post, basis, since, actor)

    @event("Appointed")
    def _appointed(
        self,
        appointment_id: str,
        community_id: str | None,
        person_id: str,
        post: str,
        basis: str,
        since: str,
        actor: ActorDict,
    ) -> None:
        self.appointments[appointment_id] = {
            "person_id": person_id,
            "post": post,
            "basis": basis,
            "since": since,
            "until": None,
        }

    def end_appointment(
        self, appointment_id: str, until: str, reason: str, actor: ActorDict
    ) -> None:
        """End an appointment on ``until`` (免职, 届满, 调动 …)."""
        check_ending(self.appointments, appointment_id, until)
        self._appointment_ended(appointment_id, until, reason, actor)

    @event("AppointmentEnded")
    def _appointment_ended(
        self, appointment_id: str, until: str, reason: str, actor: ActorDict
    ) -> None:
        self.appointments[appointment_id]["until"] = until


def general_branch_basis(post: str, facts: Eligibility, holding: list[dict[str, Any]]) -> str:
    """The qualification a general-branch post rests on, or the rule it breaks."""
    if post == "secretary":
        if not facts.district_leader:
            raise violation(
                "secretary_not_district_leader",
                "社区党总支书记须由区工管委领导班子成员兼任",
                "the secretary must be a current member of the district leadership team",
                "person_id",
            )
        return "district_leader"
    if post == "deputy_secretary":
        return _deputy_basis(facts, {a["basis"] for a in holding if a["post"] == post})
    if not facts.village_secretary_here:
        raise violation(
            "member_not_village_secretary",
            "社区党总支委员须为本社区现任村党支部书记",
            "a committee member must currently be secretary of a village branch in this community",
            "person_id",
        )
    return "village_secretary"


def _deputy_basis(facts: Eligibility, taken: set[str]) -> str:
    kinds = [
        k
        for k, ok in (
            ("organ_cadre", facts.organ_cadre),
            ("village_secretary", facts.village_secretary_here),
        )
        if ok
    ]
    if not kinds:
        raise violation(
            "deputy_not_eligible",
            "社区党总支副书记须为区机关干部或本社区村党支部书记",
            "a deputy secretary must be a district organ cadre or a village branch "
            "secretary of this community",
            "person_id",
        )
    free = [k for k in kinds if k not in taken]
    if not free:
        zh = "区机关干部" if kinds[0] == "organ_cadre" else "村党支部书记"
        raise violation(
            f"deputy_{kinds[0]}_filled",
            f"由{zh}担任的副书记已有一人",
            f"the deputy secretary post for a {kinds[0].replace('_', ' ')} is already filled",
            "post",
        )
    return free[0]
