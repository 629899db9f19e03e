"""Use cases: party members' pledges (党员承诺践诺): registered by the branch, published,
carried out with evidence, appraised at the year's end; the pledge board."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Command, Count, Day, Id, Keyed, Text, keyed
from shequ.errors import NotFound
from sqlalchemy import select

from assessment import masking
from assessment import tables as t
from assessment.base import AssessmentBase
from assessment.domain import Person, PledgeBook, Subject
from assessment.domain.pledge import RATERS
from assessment.fields import Rating, Year

MEMBER = "5b2d7c1e-0000-5000-8000-000000000001"
COMMUNITY = "6f1c2a8e-1b2c-4d3e-8f00-000000000001"


class RegisterPledges(Keyed):
    """The branch registers a party member's pledges for the year."""

    title = "登记党员承诺"
    example = keyed(
        "pledges-2025-wang",
        member_id=MEMBER,
        community_id=COMMUNITY,
        year=2025,
        pledges=["每月走访联系户", "帮扶两户增收"],
    )
    member_id: Id
    community_id: Id
    year: Year
    pledges: list[Annotated[str, Text(200, "承诺内容")]]


def of_book(key: str, **fields: Any) -> dict[str, Any]:
    """The example of a command on the example member's book of 2025: its idempotency key,
    the book, its own fields."""
    return keyed(key, member_id=MEMBER, year=2025, **fields)


class OfBook(Keyed):
    """A command about one member's pledge book of a year."""

    member_id: Id
    year: Year


class PublishPledges(OfBook):
    """Make the member's pledges public."""

    title = "公开承诺"
    example = of_book("publish-2025-wang", published_on="2025-02-01")
    published_on: Day | None = None


class RecordFulfilment(OfBook):
    """Evidence that one pledge was carried out."""

    title = "记录践诺"
    example = of_book("fulfil-2025-wang-1", index=1, evidence="帮扶两户种植马铃薯", on="2025-10-01")
    index: Annotated[int, Count(0, 99, "承诺序号")]
    evidence: Annotated[str, Text(1000, "践诺情况")]
    on: Day | None = None


class AppraiseMember(OfBook):
    """Year-end appraisal of a member: self, peer, branch and public ratings."""

    title = "党员评议"
    example = of_book(
        "appraise-2025-wang",
        self_rating=80,
        peer_rating=70,
        branch_rating=75,
        public_rating=72,
        on="2025-12-30",
    )
    self_rating: Rating
    peer_rating: Rating
    branch_rating: Rating
    public_rating: Rating
    on: Day | None = None


class Pledges(Command):
    """Pledges of a year, names masked by role."""

    title = "党员承诺公示"
    example: ClassVar[dict[str, Any]] = {"year": 2025, "community_id": COMMUNITY}
    year: Year
    community_id: Id | None = None


def register_pledges(cmd: RegisterPledges, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """The branch registers a party member's pledges for the year (2-5, RULES §5).

    ``member_id`` is a person the registry records as a party member in ``year``; the
    book carries the registry's name for them."""
    _party_member(app, cmd.member_id)
    if app.find(Subject.create_id("community", cmd.community_id)) is None:
        raise NotFound("未找到社区", "no such community under assessment", "community_id")

    def decide() -> Any:
        member = _party_member(app, cmd.member_id)
        member.check_member_in(cmd.year)
        book_id = PledgeBook.create_id(cmd.member_id, cmd.year)
        app.ensure_new(book_id, "该党员本年度承诺", "member_id")
        book = PledgeBook.register(
            cmd.member_id,
            member.name,
            cmd.community_id,
            cmd.year,
            list(cmd.pledges),
            app.settings.pledges_min,
            app.settings.pledges_max,
            actor.to_dict(),
        )
        return [book], {"book_id": str(book.id), "pledges": len(cmd.pledges)}

    target = Target(community_id=cmd.community_id)
    return app.run("register_pledges", cmd.idempotency_key, actor, target, cmd.payload(), decide)


def publish_pledges(cmd: PublishPledges, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """Make the member's pledges public (公开承诺)."""
    on = cmd.published_on or app.today()
    payload = {**cmd.payload(), "published_on": on}
    return _on_book(
        "publish_pledges", app, cmd, actor, payload, lambda b: b.publish(on, actor.to_dict())
    )


def record_fulfilment(cmd: RecordFulfilment, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """Evidence that one pledge (index from 0) was carried out (践诺)."""
    on = cmd.on or app.today()
    payload = {**cmd.payload(), "on": on}
    return _on_book(
        "record_fulfilment",
        app,
        cmd,
        actor,
        payload,
        lambda b: b.fulfil(cmd.index, cmd.evidence, on, actor.to_dict()),
    )


def appraise_member(cmd: AppraiseMember, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """Year-end appraisal: self, peer, branch and public ratings (0-100 each), weighted by
    the settings, give 优秀 / 合格 / 基本合格 / 不合格."""
    on = cmd.on or app.today()
    ratings = {r: str(getattr(cmd, f"{r}_rating")) for r in RATERS}
    payload = {"member_id": cmd.member_id, "year": cmd.year, "ratings": ratings, "on": on}
    s = app.settings
    return _on_book(
        "appraise_member",
        app,
        cmd,
        actor,
        payload,
        lambda b: b.appraise(ratings, s.appraisal_weights, s.grade_thresholds, on, actor.to_dict()),
    )


def pledges(cmd: Pledges, actor: Actor, app: AssessmentBase) -> list[Any]:
    """Pledges of a year (published ones only, except for staff); names masked by role."""
    app.policy.check("pledges", actor, Target(community_id=cmd.community_id))
    p = t.pledges
    query = select(p).where(p.c.year == cmd.year).order_by(p.c.community_id, p.c.member_id)
    if cmd.community_id:
        query = query.where(p.c.community_id == cmd.community_id)
    if not masking.sees_inputs(actor):
        query = query.where(p.c.published_on.is_not(None))
    with app.read() as c:
        rows = c.execute(query).mappings().all()
    return [
        {
            "book_id": r["id"],
            "member_id": r["member_id"],
            "member_name": masking.member_name(actor, r["member_name"]),
            "community_id": r["community_id"],
            "year": r["year"],
            "pledges": json.loads(r["pledges"]),
            "published_on": r["published_on"],
            "score": r["score"],
            "grade": r["grade"],
        }
        for r in rows
    ]


def _party_member(app: AssessmentBase, member_id: str) -> Person:
    """The person as the registry announced them (``not_found`` if it never did)."""
    person = app.find(Person.create_id(member_id))
    if person is None:
        raise NotFound(
            "登记服务中没有此人（或考核服务尚未收到其登记）",
            "the registry has no such person (or assessment has not heard of them yet)",
            "member_id",
        )
    return person  # type: ignore[no-any-return]


def _book(app: AssessmentBase, member_id: str, year: int) -> PledgeBook:
    return app.get(
        PledgeBook.create_id(member_id, year),
        PledgeBook,  # type: ignore
        "党员承诺",
        "member_id",
    )


def _on_book(
    name: str,
    app: AssessmentBase,
    cmd: OfBook,
    actor: Actor,
    payload: dict[str, Any],
    act: Callable[[PledgeBook], dict[str, Any] | None],
) -> dict[str, Any]:
    """Load the member's book of the year, let it decide, save it: the book's community is
    the scope the actor must hold."""

    def book() -> PledgeBook:
        return _book(app, cmd.member_id, cmd.year)

    def decided(fresh: PledgeBook) -> dict[str, Any]:
        return {"book_id": str(fresh.id), **(act(fresh) or {})}

    target = Target(community_id=book().community_id)  # type: ignore[attr-defined]
    return app.change(name, cmd, actor, target, book, decided, payload)
