"""The dated history of households and persons, projected from the registry's log.

Membership of a household is dated by the command (``since``, ``until``: effective dates). A
phone change and a person's registration carry no effective date: they are dated by the local
day (Asia/Shanghai) they were recorded, and say so (``basis``: ``recorded``). Party membership
is dated by ``joined_on``. Nothing here is overwritten: a household as of a day is read from
the spans of membership and the phones of that day.

The tables belong to the registry's read model (``RegistryProjection`` applies these handlers
too); a store made before they existed rebuilds it from its whole log on start (ADR 0014).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from shequ.actor import Actor
from shequ.app import DomainApplication
from shequ.clock import local_date
from shequ.projection import Handlers, upsert
from shequ.readlog import Sight
from sqlalchemy import select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.orm import Session

from registry import masking
from registry import tables as t
from registry.domain.household import RELATIONS

# change -> (中文, English); the household's own changes and the person's
CHANGES = {
    "registered": "登记",
    "member_joined": "入户",
    "member_left": "迁出本户",
    "phone_changed": "电话变更",
    "became_party_member": "入党",
    "joined_household": "加入户",
    "left_household": "离开户",
}
# a household change as the person who made it sees it
AS_PERSON = {"member_joined": "joined_household", "member_left": "left_household"}


class HistoryProjection(Handlers):
    """Spans of household membership, every phone, and one row per dated change (the tables
    are in ``registry.tables.metadata``; ``RegistryProjection`` applies these handlers)."""

    def on_Person__Registered(self, s: Session, e: Any) -> None:
        self._phone(s, e)
        self._change(
            s,
            e,
            "registered",
            _recorded_on(e),
            "recorded",
            {"kinds": list(e.kinds), "village_id": e.village_id},
        )

    def on_Person__PhoneChanged(self, s: Session, e: Any) -> None:
        p = t.phones
        previous = s.execute(
            select(p.c.phone)
            .where(p.c.person_id == _id(e), p.c.seq < e.originator_version)
            .order_by(p.c.seq.desc())
            .limit(1)
        ).scalar()
        self._phone(s, e)
        self._change(
            s,
            e,
            "phone_changed",
            _recorded_on(e),
            "recorded",
            {"phone": e.phone, "previous_phone": previous},
        )

    def on_Person__BecamePartyMember(self, s: Session, e: Any) -> None:
        self._change(s, e, "became_party_member", e.joined_on, "effective", {})

    def on_Household__Registered(self, s: Session, e: Any) -> None:
        self._span(s, _id(e), e.head_id, e.since, "head")
        self._change(
            s,
            e,
            "registered",
            e.since,
            "effective",
            {"relation": "head", "address": e.address},
            e.head_id,
            _id(e),
        )

    def on_Household__MemberAdded(self, s: Session, e: Any) -> None:
        self._span(s, _id(e), e.person_id, e.since, e.relation)
        self._change(
            s,
            e,
            "member_joined",
            e.since,
            "effective",
            {"relation": e.relation},
            e.person_id,
            _id(e),
        )

    def on_Household__MemberRemoved(self, s: Session, e: Any) -> None:
        m = t.member_spans
        s.execute(
            update(m)
            .where(m.c.household_id == _id(e), m.c.person_id == e.person_id, m.c.until.is_(None))
            .values(until=e.until, reason=e.reason)
        )
        self._change(
            s, e, "member_left", e.until, "effective", {"reason": e.reason}, e.person_id, _id(e)
        )

    def _span(
        self, s: Session, household_id: str, person_id: str, since: str, relation: str
    ) -> None:
        upsert(
            s,
            t.member_spans,
            {"household_id": household_id, "person_id": person_id, "since": since},
            {"relation": relation},
        )

    def _phone(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.phones,
            {"person_id": _id(e), "seq": e.originator_version},
            {"on": _recorded_on(e), "phone": e.phone, "recorded_at": e.timestamp.isoformat()},
        )

    def _change(
        self,
        s: Session,
        e: Any,
        change: str,
        on: str,
        basis: str,
        details: dict[str, Any],
        person_id: str | None = None,
        household_id: str | None = None,
    ) -> None:
        upsert(
            s,
            t.changes,
            {"id": f"{_id(e)}:{e.originator_version}"},
            {
                "person_id": person_id or _id(e),
                "household_id": household_id,
                "on": on,
                "basis": basis,
                "change": change,
                "recorded_at": e.timestamp.isoformat(),
                "seq": e.originator_version,
                "details": json.dumps(details, ensure_ascii=False),
            },
        )


def _id(event: Any) -> str:
    return str(event.originator_id)


def _recorded_on(event: Any) -> str:
    """The local day an event was recorded (for facts that carry no effective date)."""
    return local_date(event.timestamp)


# -- reading -----------------------------------------------------------------------------------
def members_on(c: Connection, household_id: str, on: str) -> list[dict[str, Any]]:
    """The household's members on the day ``on`` (head first), with the phone each had then."""
    m, p = t.member_spans, t.persons
    rows = (
        c.execute(
            select(m.c.person_id, m.c.relation, m.c.since, p.c.name, p.c.gender, p.c.id_number)
            .join(p, p.c.id == m.c.person_id)
            .where(m.c.household_id == household_id, t.held_on(m, on))
            .order_by(m.c.since, m.c.person_id)
        )
        .mappings()
        .all()
    )
    return [
        {**r, "phone": phone_on(c, r["person_id"], on)}
        for r in sorted(rows, key=lambda r: r["relation"] != "head")
    ]


def phone_on(c: Connection, person_id: str, on: str) -> str:
    """The phone recorded last on or before ``on``; before any record, the first one known."""
    p = t.phones
    found = c.execute(
        select(p.c.phone)
        .where(p.c.person_id == person_id, p.c.on <= on)
        .order_by(p.c.seq.desc())
        .limit(1)
    ).scalar()
    if found is None:
        found = c.execute(
            select(p.c.phone).where(p.c.person_id == person_id).order_by(p.c.seq).limit(1)
        ).scalar()
    return str(found or "")


def household_changes(c: Connection, household_id: str) -> list[RowMapping]:
    """The household's own changes, and its members' phone changes while they lived there."""
    ch, m = t.changes, t.member_spans
    own = c.execute(select(ch).where(ch.c.household_id == household_id)).mappings().all()
    spans = c.execute(select(m).where(m.c.household_id == household_id)).mappings().all()
    phones = (
        c.execute(
            select(ch).where(
                ch.c.change == "phone_changed", ch.c.person_id.in_({s["person_id"] for s in spans})
            )
        )
        .mappings()
        .all()
    )
    lived = [
        x
        for x in phones
        if any(
            s["person_id"] == x["person_id"]
            and s["since"] <= x["on"]
            and (s["until"] is None or x["on"] < s["until"])
            for s in spans
        )
    ]
    return _in_order([*own, *lived])


def person_changes(c: Connection, person_id: str) -> list[RowMapping]:
    """The person's changes, household moves among them."""
    ch = t.changes
    return _in_order(c.execute(select(ch).where(ch.c.person_id == person_id)).mappings().all())


def _in_order(rows: Sequence[RowMapping]) -> list[RowMapping]:
    return sorted(rows, key=lambda r: (r["on"], r["recorded_at"], r["seq"]))


def entry(row: RowMapping, change: str) -> dict[str, Any]:
    """One change as a query shows it (personal data still to be masked by the caller)."""
    return {
        "on": row["on"],
        "date_basis": row["basis"],
        "recorded_at": row["recorded_at"],
        "change": change,
        "change_zh": CHANGES[change],
        "person_id": row["person_id"],
        "household_id": row["household_id"],
        **json.loads(row["details"]),
    }


def names_of(c: Connection, ids: set[str]) -> dict[str, str]:
    """Person id -> name, for the people a history mentions."""
    p = t.persons
    return {r.id: r.name for r in c.execute(select(p.c.id, p.c.name).where(p.c.id.in_(ids)))}


def shown(seen: Sight, x: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A change with its personal data masked as the actor may see it."""
    out = {**x, "name": masking.name(seen, names.get(x["person_id"], ""))}
    if "relation" in x:
        out["relation_zh"] = RELATIONS[x["relation"]]
    for key in ("phone", "previous_phone"):
        if x.get(key):
            out[key] = masking.phone(seen, x[key])
    if "address" in x:
        out["address"] = masking.address(seen, x["address"])
    return out


PERSONAL = ["name", "phone", "address"]  # what a history shows of a person


def changes_shown(
    app: DomainApplication,
    actor: Actor,
    use_case: str,
    subject_id: str,
    seen: Sight,
    rows: Callable[[Connection], list[RowMapping]],
    change: Callable[[RowMapping], str] | None = None,
) -> list[dict[str, Any]]:
    """The dated changes of a household or person (``rows`` reads them, ``change`` names
    each if not as its row does), oldest first, masked as ``seen`` allows; a read in clear
    for a purpose is noted with the people it names."""
    with app.read() as c:
        changes = [entry(r, change(r) if change else r["change"]) for r in rows(c)]
        names = names_of(c, {x["person_id"] for x in changes})
    if seen.purpose and names:
        app.reads.note(actor, use_case, subject_id, seen.purpose, names, PERSONAL)
    return [shown(seen, x, names) for x in changes]
