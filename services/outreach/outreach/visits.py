"""Use cases of survey and visit rounds (调研走访): a round opened over a community's households
(or some villages'), visits logged with the opinions heard, the round closed with its coverage;
coverage per round and per period, and the households nobody has visited yet.

The rules of a round (its period, its list, closed rounds take no visits) live in
``outreach.domain.visits``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from pydantic import Field
from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Choice, Command, Day, Id, Keyed, Note, Text, keyed
from shequ.errors import ValidationError
from shequ.readlog import Purpose
from sqlalchemy import func, select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.checks import Ids, OptionalIds
from outreach.commands import RoundChange, RoundCommand
from outreach.contact_cards import heads, with_heads
from outreach.domain import Visit, VisitRound
from outreach.domain.common import key_id, violation
from outreach.domain.visits import ROUND_KINDS
from outreach.examples import COMMUNITY, HOUSEHOLD, MEMBER, ROUND
from outreach.opinions import Heards, recorded, with_opinions


class OpenRound(Keyed):
    """Open a survey or visit round over a community's households."""

    title = "开展调研走访"
    example = keyed(
        "round-2025-spring",
        community_id=COMMUNITY,
        title="春季走访",
        period_start="2025-03-01",
        period_end="2025-03-31",
        assignees=[MEMBER],
    )
    community_id: Id
    title_: Annotated[str, Text(100, "轮次名称"), Field(alias="title")]
    period_start: Day
    period_end: Day
    assignees: Annotated[list[str], Ids("走访人员")]
    kind: Annotated[str, Choice(ROUND_KINDS, "轮次类型")] = "visit"
    village_ids: Annotated[list[str], OptionalIds("村")] = Field(default_factory=list)


def open_round(cmd: OpenRound, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Open a round over every household of the community (or of the given villages),
    assigned to service-team members of the community."""
    target = Target(community_id=cmd.community_id)
    app.policy.check("open_round", actor, target)

    def decide() -> Any:
        directory = app.directory(cmd.community_id)
        members = directory.member_ids() if directory else frozenset()
        outsiders = [a for a in cmd.assignees if a not in members]
        if outsiders:
            raise violation(
                "assignee_not_team_member",
                "走访人员须为本社区服务队成员",
                f"assignees must be members of the community's service team: {outsiders[0]}",
                "assignees",
            )
        round_id = key_id("round", cmd.idempotency_key)
        households = round_households(app, cmd.community_id, cmd.village_ids)
        # the command's fields are the round's, but the villages (it lists their households)
        fields = cmd.model_dump(by_alias=True, exclude={"idempotency_key", "village_ids"})
        rnd = VisitRound.open(round_id, **fields, households=households, actor=actor.to_dict())
        return [rnd], {"round_id": str(round_id), "households": len(rnd.households)}

    return app.run("open_round", cmd.idempotency_key, actor, target, cmd.payload(), decide)


def round_households(
    app: OutreachBase, community_id: str, village_ids: list[str]
) -> list[dict[str, str]]:
    """The households a round covers: the community's, or those of ``village_ids`` in it."""
    h = t.households
    query = select(h.c.id, h.c.village_id).where(h.c.community_id == community_id)
    with app.read() as c:
        if village_ids:
            known = set(
                c.execute(
                    select(t.villages.c.id).where(
                        t.villages.c.id.in_(village_ids),
                        t.villages.c.community_id == community_id,
                    )
                ).scalars()
            )
            missing = [v for v in village_ids if v not in known]
            if missing:
                raise ValidationError(
                    "该村不在此社区",
                    f"village {missing[0]} is not in that community",
                    "village_ids",
                    rule="village.community",
                )
            query = query.where(h.c.village_id.in_(village_ids))
        return [
            {"household_id": r.id, "village_id": r.village_id}
            for r in c.execute(query.order_by(h.c.id))
        ]


class LogVisit(RoundChange):
    """Log a visit to a household of the round."""

    title = "登记走访"
    example = keyed(
        "visit-2025-03-02-001",
        round_id=ROUND,
        household_id=HOUSEHOLD,
        visited_on="2025-03-02",
        notes="老人独居",
        opinions=[{"category": "demand", "text": "村口路灯坏了"}],
    )
    household_id: Id
    visited_on: Day
    notes: Annotated[str, Note(2000, "走访记录")] = ""
    opinions: Heards = Field(default_factory=list)


def log_visit(cmd: LogVisit, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Log a visit to a household of the round by the actor, with the opinions heard;
    each opinion is published for casework."""
    rnd = app.round(cmd.round_id)
    target = Target(community_id=rnd.community_id, assigned_to=frozenset(rnd.assignees))

    def decide() -> Any:
        fresh = app.round(cmd.round_id)
        village_id = fresh.check_visit(cmd.household_id, cmd.visited_on)
        if cmd.visited_on > app.today():
            raise violation(
                "date_in_future",
                "走访日期不能晚于今天",
                "the visit date cannot be in the future",
                "visited_on",
            )
        return with_opinions(
            Visit,
            key_id("visit", cmd.idempotency_key),
            "visit_id",
            "visit",
            cmd.opinions,
            actor,
            cmd.visited_on,
            **recorded(
                cmd,
                community_id=fresh.community_id,
                village_id=village_id,
                visitor_id=actor.person_id,
            ),
        )

    return app.run("log_visit", cmd.idempotency_key, actor, target, cmd.payload(), decide)


class CloseRound(RoundChange):
    """Close a round; its coverage is published."""

    title = "结束走访轮次"
    example = keyed("round-2025-spring-close", round_id=ROUND)


def close_round(cmd: CloseRound, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Close a round; its coverage (households visited over its list) is published."""

    def rnd() -> VisitRound:
        return app.round(cmd.round_id)

    def close(fresh: VisitRound) -> dict[str, Any]:
        visited = households_visited(app, cmd.round_id)
        fresh.close(app.today(), visited, actor.to_dict())
        return {
            "round_id": cmd.round_id,
            "households_total": len(fresh.households),
            "households_visited": visited,
        }

    target = Target(community_id=rnd().community_id)
    return app.change("close_round", cmd, actor, target, rnd, close)


def households_visited(app: OutreachBase, round_id: str) -> int:
    v = t.visits
    with app.read() as c:
        return int(
            c.execute(
                select(func.count(func.distinct(v.c.household_id))).where(v.c.round_id == round_id)
            ).scalar_one()
        )


# -- coverage ----------------------------------------------------------------------------------
def _checked_round(app: OutreachBase, use_case: str, actor: Actor, cmd: RoundCommand) -> VisitRound:
    """The command's round, once the actor may query it (its community's staff and team, its
    assignees)."""
    rnd = app.round(cmd.round_id)
    base = app.community_target(rnd.community_id)
    target = Target(
        community_id=rnd.community_id, assigned_to=base.assigned_to | frozenset(rnd.assignees)
    )
    app.policy.check(use_case, actor, target)
    return rnd


class RoundCoverage(RoundCommand):
    """A round's coverage."""

    title = "走访覆盖率"
    example: ClassVar[dict[str, Any]] = {"round_id": ROUND}


def round_coverage(cmd: RoundCoverage, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """A round's coverage: households visited over its list, per village and overall."""
    rnd = _checked_round(app, "round_coverage", actor, cmd)
    rh, v = t.round_households, t.visits
    visited = select(v.c.household_id).where(v.c.round_id == cmd.round_id).distinct().subquery()
    with app.read() as c:
        rows = c.execute(
            select(
                rh.c.village_id,
                func.count(rh.c.household_id),
                func.count(visited.c.household_id),
            )
            .outerjoin(visited, visited.c.household_id == rh.c.household_id)
            .where(rh.c.round_id == cmd.round_id)
            .group_by(rh.c.village_id)
            .order_by(rh.c.village_id)
        ).all()
    return _coverage(
        {
            "round_id": cmd.round_id,
            "community_id": rnd.community_id,
            "period_start": rnd.period_start,
            "period_end": rnd.period_end,
            "closed": rnd.closed,
        },
        rows,
    )


class Coverage(Command):
    """Households visited in a period over all households."""

    title = "期间走访覆盖率"
    example: ClassVar[dict[str, Any]] = {
        "community_id": COMMUNITY,
        "period_start": "2025-01-01",
        "period_end": "2025-03-31",
    }
    community_id: Id
    period_start: Day
    period_end: Day


def coverage(cmd: Coverage, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Households visited in a period (any round) over all households, per village."""
    app.policy.check("coverage", actor, app.community_target(cmd.community_id))
    h, v = t.households, t.visits
    visited = (
        select(v.c.household_id)
        .where(v.c.visited_on >= cmd.period_start, v.c.visited_on <= cmd.period_end)
        .distinct()
        .subquery()
    )
    with app.read() as c:
        rows = c.execute(
            select(h.c.village_id, func.count(h.c.id), func.count(visited.c.household_id))
            .outerjoin(visited, visited.c.household_id == h.c.id)
            .where(h.c.community_id == cmd.community_id)
            .group_by(h.c.village_id)
            .order_by(h.c.village_id)
        ).all()
    head = {
        "community_id": cmd.community_id,
        "period_start": cmd.period_start,
        "period_end": cmd.period_end,
    }
    return _coverage(head, rows)


class HouseholdsMissed(RoundCommand):
    """The households of a round nobody has visited yet."""

    title = "漏访户"
    example: ClassVar[dict[str, Any]] = {"round_id": ROUND}
    purpose: Purpose = None


def households_missed(
    cmd: HouseholdsMissed, actor: Actor, app: OutreachBase
) -> list[dict[str, Any]]:
    """The households on a round's list that nobody has visited yet (heads and addresses
    in clear for the team, and for staff who give a ``purpose``)."""
    _checked_round(app, "households_missed", actor, cmd)
    rh, v, h = t.round_households, t.visits, t.households
    seen = select(v.c.household_id).where(v.c.round_id == cmd.round_id)
    listed = select(rh.c.household_id.label("id"), rh.c.village_id).join(
        h, h.c.id == rh.c.household_id
    )
    with app.read() as c:
        rows = c.execute(
            with_heads(listed)
            .where(rh.c.round_id == cmd.round_id, rh.c.household_id.not_in(seen))
            .order_by(rh.c.village_id, rh.c.household_id)
        ).all()
    shown = heads(app, actor, cmd.purpose, "households_missed", cmd.round_id, rows)
    return [{**s, "village_id": r.village_id} for s, r in zip(shown, rows, strict=True)]


def _coverage(head: dict[str, Any], rows: Sequence[Any]) -> dict[str, Any]:
    villages = [
        {
            "village_id": r[0],
            "households_total": int(r[1]),
            "households_visited": int(r[2]),
            "coverage": round(int(r[2]) / int(r[1]), 4) if r[1] else 0.0,
        }
        for r in rows
    ]
    total = sum(v["households_total"] for v in villages)
    seen = sum(v["households_visited"] for v in villages)
    return {
        **head,
        "households_total": total,
        "households_visited": seen,
        "coverage": round(seen / total, 4) if total else 0.0,
        "villages": villages,
    }
