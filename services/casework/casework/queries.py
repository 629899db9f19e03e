"""Queries of cases (read only): one case, its timeline, a queue, the overdue, a household's own;
served from the read model (caught up first) or the case itself, personal data masked by role."""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Choice, Command, Day, Flag, Id, Note
from sqlalchemy import select

from casework import masking
from casework import tables as t
from casework.base import CaseworkBase, loads
from casework.domain import Case, Mediation, VillageDecision
from casework.domain.vocabulary import CASE_TYPES, GROUPS, OPEN, STATES


def _row(r: Any) -> dict[str, Any]:
    return {
        "case_id": r["id"],
        "case_type": r["case_type"],
        "case_type_zh": CASE_TYPES[r["case_type"]],
        "category": r["category"],
        "title": r["title"],
        "state": r["state"],
        "state_zh": STATES[r["state"]],
        "community_id": r["community_id"],
        "village_id": r["village_id"],
        "household_id": r["household_id"],
        "work_group": r["work_group"],
        "owner_id": r["owner_id"],
        "received_on": r["received_on"],
        "recorded_at": r["recorded_at"],
        "due_on": r["due_on"],
        "due_kind": r["due_kind"],
        "paused": bool(r["paused"]),
        "duplicate_of": r["duplicate_of"],
        "origin_opinion_id": r["origin_opinion_id"],
    }


def _dates(case: Any) -> dict[str, Any]:
    """The days things happened (deadlines count from them) beside when they were typed
    in, and the windows still open to the resident."""
    return {
        "received_on": case.received_on,
        "recorded_at": case.recorded_at or case.created_on.isoformat(),
        "accepted_on": case.accepted_on,
        "resolved_on": case.resolved_on,
        "answered_on": case.answered_on,
        "review_until": case.review_until,
    }


def _fact_day(details: dict[str, Any]) -> str | None:
    """The day an event's fact happened, where it carries one."""
    for k in ("on", "received_on", "started_on", "opened_on", "chased_on", "reprimanded_on"):
        if details.get(k):
            return str(details[k])
    record = details.get("record")
    return record.get("date") if isinstance(record, dict) else None


MEDIATION_SHOWN = (
    "state",
    "started_on",
    "due_on",
    "effective_on",
    "confirmation_until",
    "confirmation_applied_on",
    "ended_on",
)
"""What a case's query shows of its mediation (the aggregate's attributes of these names)."""


def _mediation(m: Any) -> dict[str, Any]:
    return {name: getattr(m, name) for name in MEDIATION_SHOWN}


def _decision(d: Any) -> dict[str, Any]:
    return {
        "state": d.state,
        "done": d.done,
        "started_on": d.began_on,
        "ended_on": d.ended_on,
        "meetings": [
            {
                "step": step,
                "body": m["body"],
                "held_on": m["record"]["date"],
                "notice_on": m["record"].get("notice_on"),
                "recorded_at": m.get("recorded_at"),
            }
            for step, m in sorted(d.meetings.items())
        ],
    }


CASE = "5b2d7c1e-0000-5000-8000-000000000001"
COMMUNITY = "5b2d7c1e-0000-5000-8000-000000000004"
HOUSEHOLD = "5b2d7c1e-0000-5000-8000-000000000009"


def readable(app: CaseworkBase, actor: Actor, case_id: str, use_case: str) -> Any:
    """The case, if the actor's role may read it at all, they are not reported in it, and it
    is within their scope."""
    app.policy.check_role(use_case, actor)
    case = app.get(case_id, Case, "案件", "case_id")
    app.guard(actor, case)
    app.policy.check(use_case, actor, app.case_target(case))
    return case


class CaseQuery(Command):
    """One case."""

    title = "查看案件"
    example: ClassVar[dict[str, Any]] = {"case_id": CASE, "purpose": "回访核实"}
    case_id: Id
    purpose: Annotated[str, Note(200, "查看目的")] = ""


def case(cmd: CaseQuery, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """One case: where it stands, who has it, its deadline, its material.

    The resident's name and phone are in clear for their household, the case's handlers,
    and staff who give a ``purpose``; every such read by someone else than the household
    is recorded."""
    c = readable(app, actor, cmd.case_id, "case")
    handlers = [p for p in [c.owner_id, *c.co_handlers] if p]
    seen = masking.resident_sight(actor, cmd.purpose or None, handlers, c.household_id)
    if seen.purpose and (c.resident.get("name") or c.resident.get("phone")):
        app.reads.note(
            actor,
            "case",
            str(c.id),
            seen.purpose,
            {c.household_id or str(c.id): c.resident.get("name", "")},
            [f for f in ("name", "phone") if c.resident.get(f)],
        )
    out = _case(c)
    out["resident"] = masking.resident(seen, c.resident)
    out["materials"] = [
        {k: m[k] for k in ("material_id", "title", "content", "on")}
        for m in c.visible_materials(actor.person_id)
    ]
    if c.petition:
        out["petition"] = {
            k: v for k, v in c.petition.items() if k in ("form", "request", "representatives")
        }
    for kind, cls in (("mediation", Mediation), ("decision", VillageDecision)):
        if app.exists(cls.create_id(str(c.id))):
            agg: Any = app.repository.get(cls.create_id(str(c.id)))
            out[kind] = _decision(agg) if kind == "decision" else _mediation(agg)
    return out


def _case(case: Any) -> dict[str, Any]:
    return {
        "case_id": str(case.id),
        "case_type": case.case_type,
        "category": case.category,
        "channel": case.channel,
        "title": case.title,
        "description": case.description,
        "place": case.place,
        "community_id": case.community_id,
        "village_id": case.village_id,
        "household_id": case.household_id,
        "team_id": case.team_id,
        "work_group": case.work_group,
        "work_group_zh": GROUPS.get(case.work_group, ""),
        "state": case.state,
        "state_zh": STATES[case.state],
        "owner_id": case.owner_id,
        "co_handlers": list(case.co_handlers),
        **_dates(case),
        "due_on": case.due_on,
        "due_kind": case.due_kind,
        "paused_since": case.paused_since,
        "extensions": case.extensions,
        "outcome": case.outcome,
        "rating": case.rating,
        "reopen_until": case.reopen_until,
        "reviews": case.reviews,
        "final": case.final,
        "duplicate_of": case.duplicate_of,
        "merged_into": case.merged_into,
        "absorbed": case.absorbed,
        "origin_opinion_id": case.origin_opinion_id,
    }


class CaseTimeline(Command):
    """Every event of a case."""

    title = "案件时间线"
    example: ClassVar[dict[str, Any]] = {"case_id": CASE}
    case_id: Id


def case_timeline(cmd: CaseTimeline, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """Every event of the case, its mediation or decision, and the cases merged into it."""
    c = readable(app, actor, cmd.case_id, "case_timeline")
    ids = [str(c.id), *c.absorbed]
    tl = t.timeline
    with app.read() as conn:
        rows = (
            conn.execute(select(tl).where(tl.c.case_id.in_(ids)).order_by(tl.c.at, tl.c.id))
            .mappings()
            .all()
        )
    events = []
    for r in rows:
        details = json.loads(r["details"])
        events.append(
            {
                "case_id": r["case_id"],
                "at": r["at"],
                "kind": r["kind"],
                "event": r["event"],
                "on": _fact_day(details),
                "recorded_at": details.get("recorded_at") or r["at"],
                "actor": json.loads(r["actor"]),
                "details": details,
            }
        )
    return {"case_id": str(c.id), "events": events}


class Queue(Command):
    """Cases of a community."""

    title = "案件队列"
    example: ClassVar[dict[str, Any]] = {"community_id": COMMUNITY, "work_group": "welfare"}
    community_id: Id | None = None
    work_group: Annotated[str, Choice(GROUPS, "工作组")] | None = None
    owner_id: Id | None = None
    include_closed: Flag = False


def queue(cmd: Queue, actor: Actor, app: CaseworkBase) -> list[dict[str, Any]]:
    """Cases of a community, optionally one work group's or one owner's (a team member
    asks for their own: ``owner_id`` = themselves)."""
    owner = cmd.owner_id
    app.policy.check(
        "queue",
        actor,
        Target(community_id=cmd.community_id, assigned_to=frozenset([owner] if owner else [])),
    )
    cs = t.cases
    q = select(cs).order_by(cs.c.due_on, cs.c.received_on, cs.c.id)
    if cmd.community_id:
        q = q.where(cs.c.community_id == cmd.community_id)
    if cmd.work_group:
        q = q.where(cs.c.work_group == cmd.work_group)
    if owner:
        q = q.where(cs.c.owner_id == owner)
    if not cmd.include_closed:
        q = q.where(cs.c.state.in_(OPEN))
    with app.read() as c:
        rows = c.execute(q).mappings().all()
    return [_row(r) for r in rows if actor.person_id not in loads(r["reported"])]


class OverdueCases(Command):
    """Open cases past their due date."""

    title = "逾期案件"
    example: ClassVar[dict[str, Any]] = {"community_id": COMMUNITY}
    community_id: Id | None = None
    on: Day | None = None


def overdue_cases(cmd: OverdueCases, actor: Actor, app: CaseworkBase) -> list[dict[str, Any]]:
    """Open, unpaused cases past their due date, with their chase and reprimand dates."""
    day = cmd.on or app.today()
    app.policy.check("overdue_cases", actor, Target(community_id=cmd.community_id))
    cs = t.cases
    q = select(cs).where(t.overdue_on(day)).order_by(cs.c.due_on, cs.c.id)
    if cmd.community_id:
        q = q.where(cs.c.community_id == cmd.community_id)
    with app.read() as c:
        rows = c.execute(q).mappings().all()
    return [
        {
            **_row(r),
            "chased_on": r["chased_on"],
            "reprimanded": r["reprimanded_for"] == r["due_on"],
        }
        for r in rows
        if actor.person_id not in loads(r["reported"])
    ]


class MyCases(Command):
    """A household's own cases."""

    title = "我家的案件"
    example: ClassVar[dict[str, Any]] = {"household_id": HOUSEHOLD}
    household_id: Id


def my_cases(cmd: MyCases, actor: Actor, app: CaseworkBase) -> list[dict[str, Any]]:
    """A household's own cases, newest first (what a resident follows)."""
    household_id = cmd.household_id
    with app.read() as c:
        community = c.execute(
            select(t.villages.c.community_id)
            .join(t.households, t.households.c.village_id == t.villages.c.id)
            .where(t.households.c.id == household_id)
        ).scalar()
        app.policy.check(
            "my_cases", actor, Target(community_id=community, household_id=household_id)
        )
        cs = t.cases
        rows = (
            c.execute(
                select(cs)
                .where(cs.c.household_id == household_id)
                .order_by(cs.c.received_on.desc(), cs.c.id)
            )
            .mappings()
            .all()
        )
    return [{**_row(r), "rating": r["rating"]} for r in rows]
