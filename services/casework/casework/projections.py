"""Read models of casework, fed in order from its own notification log.

Rows are keyed by ids. The projector commits its position with the rows, so each event is
applied once; directory rows are upserts, and a case's first row and its timeline rows are
plain inserts (keyed by case id, and by aggregate id and version): should two replicas apply
the same page at once, the loser fails on the key, rolls back and catches up from the
winner's position (``CaseworkBase.read``).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from shequ.projection import Handlers, upsert
from sqlalchemy import MetaData, Table, bindparam, case, delete, select, update
from sqlalchemy.event import listen
from sqlalchemy.orm import Session

from casework import tables as t

# Fields kept out of the timeline: routing context, personal data, protected material.
HIDDEN = {
    "actor",
    "ctx",
    "resident",
    "content",
    "originator_id",
    "originator_version",
    "timestamp",
    "petition",
    "reported_person_ids",
}


def _id(event: Any) -> str:
    return str(event.originator_id)


class CaseworkProjection(Handlers):
    """Directory (from the registry), cases, their timelines."""

    name = "casework"
    metadata: MetaData = t.metadata

    def apply(self, session: Session, event: Any) -> None:
        name = type(event).__qualname__
        kind, _, _ = name.partition(".")
        if kind in ("Case", "Mediation", "VillageDecision"):
            self._timeline(session, kind, event)
        handler = self.handlers.get(name)
        if handler is not None:
            handler(session, event)
        if kind == "Case" and name not in ("Case.Received",):
            self._case_state(session, event)

    # -- directory -------------------------------------------------------------------------
    def on_Community__Learned(self, s: Session, e: Any) -> None:
        upsert(s, t.communities, {"id": e.community_id}, {"name": e.name})

    def on_Village__Learned(self, s: Session, e: Any) -> None:
        upsert(
            s, t.villages, {"id": e.village_id}, {"community_id": e.community_id, "name": e.name}
        )
        self._stands_for(s, e, e.village_id, "village")

    def on_Village__Moved(self, s: Session, e: Any) -> None:
        v = t.villages
        s.execute(
            update(v)
            .where(v.c.id == self._natural(s, e, "village"))
            .values(community_id=e.community_id)
        )

    def on_Household__Learned(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.households,
            {"id": e.household_id},
            {"village_id": e.village_id, "head_id": e.head_id},
        )
        upsert(s, t.household_members, {"household_id": e.household_id, "person_id": e.head_id}, {})
        self._stands_for(s, e, e.household_id, "household")

    def on_Household__MemberAdded(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.household_members,
            {"household_id": self._natural(s, e, "household"), "person_id": e.person_id},
            {},
        )

    def on_Household__MemberRemoved(self, s: Session, e: Any) -> None:
        self._member_left(s, e, t.household_members, "household")

    def on_Team__Learned(self, s: Session, e: Any) -> None:
        upsert(s, t.teams, {"id": e.team_id}, {"community_id": e.community_id, "name": e.name})
        upsert(s, t.communities, {"id": e.community_id}, {"team_id": e.team_id})
        self._stands_for(s, e, e.team_id, "team")

    def on_Team__MemberJoined(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.team_members,
            {"team_id": self._natural(s, e, "team"), "person_id": e.person_id},
            {"group_key": e.group, "name": e.name, "since": e.since},
        )

    def on_Team__MemberLeft(self, s: Session, e: Any) -> None:
        self._member_left(s, e, t.team_members, "team")

    def on_Team__LeaderAppointed(self, s: Session, e: Any) -> None:
        s.execute(
            update(t.teams)
            .where(t.teams.c.id == self._natural(s, e, "team"))
            .values(leader_id=e.person_id)
        )

    def _member_left(self, s: Session, e: Any, members: Table, kind: str) -> None:
        """A person left a household or team (``kind``): their membership row goes."""
        group = members.c[f"{kind}_id"] == self._natural(s, e, kind)
        s.execute(delete(members).where(group, members.c.person_id == e.person_id))

    def _stands_for(self, s: Session, e: Any, subject_id: str, kind: str, state: str = "") -> None:
        """The event's aggregate stands for a registry subject, or a case's procedure: its id
        is what ``_natural`` finds again for the aggregate's later events."""
        row = {"subject_id": subject_id, "subject_kind": kind, "state": state}
        upsert(s, t.procedures, {"id": _id(e)}, row)

    def _natural(self, s: Session, e: Any, kind: str) -> str:
        """The registry id behind a directory aggregate, or the case of a procedure."""
        p = t.procedures
        found = s.execute(select(p.c.subject_id).where(p.c.id == _id(e))).scalar()
        return str(found)

    # -- cases -----------------------------------------------------------------------------
    def on_Case__Received(self, s: Session, e: Any) -> None:
        petition = e.petition or {}
        s.execute(
            _INSERT_CASE,
            {
                "id": _id(e),
                "case_type": e.case_type,
                "category": e.category,
                "channel": e.channel,
                "community_id": e.community_id,
                "village_id": e.village_id,
                "household_id": e.household_id,
                "team_id": e.team_id,
                "work_group": e.work_group,
                "title": e.title,
                "place": e.place,
                "public_description": (
                    e.description if e.resident.get("publish_description") == "yes" else None
                ),
                "state": "received",
                "owner_id": None,
                "due_on": e.accept_due,
                "due_kind": "accept",
                "paused": False,
                "received_on": e.received_on,
                "origin_opinion_id": e.origin_opinion_id,
                # when it was typed in (events stored before it was kept: when it was stored)
                "recorded_at": e.recorded_at or e.timestamp.isoformat(),
                "duplicate_of": e.duplicate_of,
                "facts_key": petition.get("facts_key"),
                "petitioner": petition.get("petitioner_key"),
                "final": False,
                "reported": json.dumps(e.reported_person_ids),
                "co_handlers": "[]",
            },
        )

    def _case_state(self, s: Session, e: Any) -> None:  # noqa: C901, PLR0912 - a table of events
        """Copy the fields a case query needs after any case event (from the event alone)."""
        name = type(e).__qualname__.split(".")[1]
        values: dict[str, Any] = {}
        state = STATE_AFTER.get(name)
        if state:
            values["state"] = state
        if hasattr(e, "due_on") and name not in ("Chased", "Reprimanded", "Resolved"):
            values["due_on"] = e.due_on
            values["due_kind"] = "review" if name == "ReviewRequested" else "handle"
        if name in ("Resolved", "Answered", "Refused", "Merged", "ReviewAnswered"):
            values["due_on"] = None
        if name == "Answered":
            values["reopen_until"] = e.reopen_until
        if name == "Assigned":
            values["owner_id"], values["work_group"] = e.owner_id, e.work_group
            values["state"] = _ASSIGNED  # accepted or reopened become assigned; others stay
        elif name == "Paused":
            values["paused"] = True
        elif name == "Resumed":
            values["paused"] = False
        elif name == "Resolved":
            values.update(resolved_on=e.on, on_time=e.on_time, paused=False)
        elif name == "Rated":
            values["rating"] = e.rating
        elif name == "Reopened":
            values["rating"] = None
        elif name == "Chased":
            values.update(chased_for=e.due_on, chased_on=e.chased_on)
        elif name == "Reprimanded":
            values["reprimanded_for"] = e.due_on
        elif name == "Merged":
            values["merged_into"] = e.target_id
        elif name == "ReviewAnswered":
            values["final"] = e.level == "re_review"
        elif name in ("Recused", "CoHandlerAdded"):
            self._handlers(s, e, name)
        if name == "Recused":
            row = s.execute(
                select(t.cases.c.owner_id, t.cases.c.state).where(t.cases.c.id == _id(e))
            ).first()
            if row is not None and row.owner_id == e.person_id:
                values["owner_id"] = None
                if row.state in ("assigned", "in_progress"):
                    values["state"] = "accepted"
        if values:
            params = {k: v for k, v in values.items() if v is not _ASSIGNED}
            s.execute(
                _update_case(frozenset(values), "state" not in params),
                {"cw_case_id": _id(e), **params},
            )

    def _handlers(self, s: Session, e: Any, name: str) -> None:
        c = t.cases
        text = s.execute(select(c.c.co_handlers).where(c.c.id == _id(e))).scalar() or "[]"
        people = [p for p in json.loads(text) if p != e.person_id]
        if name == "CoHandlerAdded":
            people.append(e.person_id)
        s.execute(update(c).where(c.c.id == _id(e)).values(co_handlers=json.dumps(people)))

    # -- procedures and the timeline -------------------------------------------------------
    def on_Mediation__Started(self, s: Session, e: Any) -> None:
        self._stands_for(s, e, e.case_id, "mediation", "pending_consent")

    def on_VillageDecision__Opened(self, s: Session, e: Any) -> None:
        self._stands_for(s, e, e.case_id, "decision", "open")

    def _timeline(self, s: Session, kind: str, e: Any) -> None:
        if kind == "Case":
            case_id = _id(e)
        elif hasattr(e, "case_id"):
            case_id = e.case_id
        else:
            case_id = self._natural(s, e, kind)
        details = {k: v for k, v in vars(e).items() if k not in HIDDEN}
        _later(s).append(
            {
                "id": f"{_id(e)}:{e.originator_version}",
                "case_id": case_id,
                "at": e.timestamp.isoformat(),
                "kind": kind.lower(),
                "event": type(e).__qualname__.split(".")[1],
                "actor": json.dumps(getattr(e, "actor", {}) or {}, ensure_ascii=False),
                "details": json.dumps(details, ensure_ascii=False, default=str),
            }
        )


def _later(s: Session) -> list[dict[str, Any]]:
    """Timeline rows of this transaction, inserted together just before it commits (nothing
    in the page reads them; a duplicate key still fails the page, as a single insert would)."""
    rows: list[dict[str, Any]] | None = s.info.get("cw_timeline")
    if rows is None:
        rows = s.info["cw_timeline"] = []

        def insert(session: Session) -> None:
            batch = session.info.pop("cw_timeline", [])
            if batch:
                session.execute(t.timeline.insert(), batch)

        listen(s, "before_commit", insert, once=True)
    return rows


_INSERT_CASE = t.cases.insert()
_ASSIGNED = object()  # marks the state rule of Assigned in _case_state's values


@functools.cache
def _update_case(columns: frozenset[str], assigned: bool) -> Any:
    """One UPDATE statement per set of columns, built once (values are bound parameters)."""
    col = t.cases.c.state
    values: dict[str, Any] = {k: bindparam(k) for k in columns}
    if assigned:
        values["state"] = case((col.in_(("accepted", "reopened")), "assigned"), else_=col)
    return update(t.cases).where(t.cases.c.id == bindparam("cw_case_id")).values(values)


STATE_AFTER = {
    "Accepted": "accepted",
    "Refused": "refused",
    "Started": "in_progress",
    "Resolved": "resolved",
    "Answered": "answered",
    "Rated": "rated",
    "Confirmed": "confirmed",
    "Reopened": "reopened",
    "Closed": "closed",
    "Merged": "merged",
    "ReviewRequested": "in_review",
    "ReviewAnswered": "answered",
}
