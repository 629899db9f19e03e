"""A village's villagers' committee (村民委员会): its chair (主任), vice chairs (副主任) and members
(委员), each holding a post by a dated appointment within an elected term.

村民委员会组织法 (2018): the committee has three to seven members, a chair, vice chairs as needed
and members (Art. 6); they are elected directly by the village's villagers (Art. 11) for a term
of five years, and at the term's end a new election is held (Art. 11). A post is held until it
is ended (届满, 罢免, 辞职 …), not by the calendar: the outgoing committee serves until the
newly elected one takes over, so ``term_ends`` is the term's expected end, shown to readers,
never a silent end of the post. Together with the village party branch (organisation.py), the
committee is one of the village's two committees (两委).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, check_end, violation

from registry.domain.common import IDS, HoldsPosts, check_ending, check_seat

POSTS = {"chair": "主任", "vice_chair": "副主任", "member": "委员"}
TERM_YEARS = 5  # 村民委员会组织法 Art. 11
MAX_MEMBERS = 7  # 村民委员会组织法 Art. 6: three to seven members
SEAT_WORDS = (
    ("此人已在本村民委员会任职", "the person already holds a post on this villagers' committee"),
    ("村民委员会主任已有人担任", "the chair is filled"),
)


def term_end(since: str, years: int = TERM_YEARS) -> str:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    day = dt.date.fromisoformat(since)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:
        return day.replace(year=day.year + years, day=28).isoformat()


@dataclass
class VillagersCommittee(HoldsPosts, Aggregate, created_event_name="Established"):
    """One village's villagers' committee (natural id from the village)."""

    id: UUID
    village_id: str
    actor: ActorDict
    appointments: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)

    create_id = IDS.keyed_by("committee", "village_id")

    def take_post(
        self,
        appointment_id: str,
        person_id: str,
        post: str,
        since: str,
        term_ends: str,
        villager: bool,
        actor: ActorDict,
    ) -> None:
        """A person elected (or by-elected) to a post from ``since`` for a term ending
        ``term_ends``; ``villager``: the person is registered in the committee's village."""
        if appointment_id in self.appointments:
            raise violation(
                "appointment_exists", "该任职已登记", "appointment already recorded", "person_id"
            )
        if not villager:
            raise violation(
                "not_a_villager",
                "村民委员会成员须为本村村民",
                "a member of the villagers' committee must be a villager of the village",
                "person_id",
            )
        check_end(since, term_ends, "term_ends")
        if term_ends > term_end(since):
            raise violation(
                "term_too_long",
                f"村民委员会每届任期五年，届满日期不得晚于 {term_end(since)}",
                f"a committee's term is five years: it ends by {term_end(since)}",
                "term_ends",
            )
        self._check_seat(person_id, post, self.current(since))
        self._post_taken(appointment_id, self.village_id, person_id, post, since, term_ends, actor)

    @staticmethod
    def _check_seat(person_id: str, post: str, holding: list[dict[str, Any]]) -> None:
        check_seat(holding, person_id, post, "chair", SEAT_WORDS)
        if len(holding) >= MAX_MEMBERS:
            raise violation(
                "committee_full",
                f"村民委员会至多 {MAX_MEMBERS} 人",
                f"a villagers' committee has at most {MAX_MEMBERS} members",
                "person_id",
            )

    @event("PostTaken")
    def _post_taken(
        self,
        appointment_id: str,
        village_id: str,
        person_id: str,
        post: str,
        since: str,
        term_ends: str,
        actor: ActorDict,
    ) -> None:
        self.appointments[appointment_id] = {
            "person_id": person_id,
            "post": post,
            "since": since,
            "term_ends": term_ends,
            "until": None,
        }

    def end_post(self, appointment_id: str, until: str, reason: str, actor: ActorDict) -> None:
        """End a post on ``until`` (届满, 罢免, 辞职 …): from that day it is not held."""
        check_ending(self.appointments, appointment_id, until)
        self._post_ended(appointment_id, self.village_id, until, reason, actor)

    @event("PostEnded")
    def _post_ended(
        self, appointment_id: str, village_id: str, until: str, reason: str, actor: ActorDict
    ) -> None:
        self.appointments[appointment_id]["until"] = until
