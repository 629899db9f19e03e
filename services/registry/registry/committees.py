"""Use cases of the villagers' committees (村民委员会): posts taken by election, posts ended, and
a village's committee as of a day.

The handlers gather what the rules need (that the person is registered in the village) and
hand it to the VillagersCommittee aggregate, which decides; a village's committee comes into
being with its first post.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.commands import Choice, Command, Day, Id, Keyed, keyed
from shequ.handlers import changes, decides

from registry import tables as t
from registry.base import RegistryBase, in_village, person_exists
from registry.domain import Person, Village, VillagersCommittee
from registry.domain.committee import POSTS, term_end
from registry.domain.common import natural_id
from registry.examples import APPOINTMENT, PERSON, VILLAGE
from registry.fields import EndReason
from registry.masking import post_held


class ElectCommitteeMember(Keyed):
    """Record a person elected (or by-elected) to the villagers' committee of their village."""

    title = "村民委员会成员任职（选举、补选）"
    example = keyed(
        "committee-dongwang-chair-2021",
        village_id=VILLAGE,
        person_id=PERSON,
        post="chair",
        since="2021-01-15",
        term_ends="2026-01-15",
    )
    village_id: Id
    person_id: Id
    post: Annotated[str, Choice(POSTS, "职务")]
    since: Day | None = None
    term_ends: Day | None = None


@decides(in_village)
def elect_committee_member(cmd: ElectCommitteeMember, actor: Actor, app: RegistryBase) -> Any:
    """Record a person elected to a post (chair, vice_chair, member) of the village's villagers'
    committee from ``since``, for the term ending ``term_ends`` (five years by default)."""
    village = app.get(cmd.village_id, Village, "村", "village_id")
    person_exists(cmd, app)
    person = app.get(cmd.person_id, Person, "人员", "person_id")
    committee_id = VillagersCommittee.create_id(cmd.village_id)
    committee = app.find(committee_id) or VillagersCommittee(
        id=committee_id,  # type: ignore[call-arg]  # eventsourcing takes the id at runtime
        village_id=str(village.id),
        actor=actor.to_dict(),
    )
    on = cmd.since or app.today()
    appointment_id = str(natural_id("committee-post", cmd.village_id, cmd.person_id, cmd.post, on))
    term_ends = cmd.term_ends or term_end(on)
    villager = person.village_id == cmd.village_id
    committee.take_post(
        appointment_id, cmd.person_id, cmd.post, on, term_ends, villager, actor.to_dict()
    )
    return [committee], {"appointment_id": appointment_id, "term_ends": term_ends}


class EndCommitteePost(Keyed):
    """End a post on the villagers' committee on a date, with a reason (届满, 罢免, 辞职 …)."""

    title = "村民委员会成员离任（届满、罢免、辞职）"
    example = keyed(
        "committee-end-2026-0001",
        village_id=VILLAGE,
        appointment_id=APPOINTMENT,
        until="2026-01-15",
        reason="届满",
    )
    village_id: Id
    appointment_id: Id
    until: Day
    reason: EndReason = ""


def _committee(cmd: EndCommitteePost, app: RegistryBase) -> VillagersCommittee:
    return app.get(
        VillagersCommittee.create_id(cmd.village_id), VillagersCommittee, "村民委员会", "village_id"
    )


@changes(_committee, in_village)
def end_committee_post(
    cmd: EndCommitteePost, actor: Actor, app: RegistryBase, committee: VillagersCommittee
) -> dict[str, Any]:
    """End a post on ``until`` with a reason: from that day the person no longer holds it."""
    committee.end_post(cmd.appointment_id, cmd.until, cmd.reason, actor.to_dict())
    return {"appointment_id": cmd.appointment_id}


class CommitteeQuery(Command):
    """A village's villagers' committee on a day: who holds which post, and their terms."""

    title = "村民委员会组成"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE, "on": "2024-06-01"}
    village_id: Id
    on: Day | None = None


def villagers_committee(cmd: CommitteeQuery, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """The posts held on ``on`` (default today), chair first; ``term_over``: the term's expected
    end has passed and no new election is recorded yet."""
    on = cmd.on or app.today()
    app.policy.check("villagers_committee", actor, app.village_target(cmd.village_id))
    a = t.committee_posts
    with app.read() as c:
        rows = t.posts_held(c, a, a.c.village_id == cmd.village_id, on, list(POSTS))
    posts = [
        {
            **post_held(actor, r, POSTS),
            "term_ends": r["term_ends"],
            "term_over": r["term_ends"] <= on,
        }
        for r in rows
    ]
    return {"village_id": cmd.village_id, "on": on, "posts": posts}
