"""Inbox handlers: what assessment does with other services' integration events.

* registry: communities and service teams become subjects of assessment; persons and their
  party membership are kept so that pledges name a party member the registry knows;
* casework, outreach: each event of interest becomes one ``Fact`` (its id from the upstream
  event id: the inbox applies each position once, and the id refuses a second copy anyway).

A fact dated in a period that has ended is written to that period too (``note_arrival``), so a
concurrent scoring of the period conflicts and decides again with it. If the period is already
closed, the late-event setting decides, and the decision is recorded, never silent:
``reopen`` reopens the period (``period.reopened``, naming the event); ``next_period`` counts
the fact in the next open period of that kind (``Fact.moved``; the closed period notes it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from shequ.actor import SYSTEM
from shequ.app import ServiceApplication
from shequ.casestats import fact_key
from shequ.clock import local_date
from shequ.inbox import Handler, Unit

from assessment.domain import Fact, Period, Person, Subject
from assessment.domain.common import PERIOD_KINDS, next_start, period_end, period_start
from assessment.interests import FACTS


def registry_handler(app: ServiceApplication) -> Handler:
    def handle(envelope: dict[str, Any], unit: Unit) -> list[Aggregate]:
        data = envelope["data"]
        if envelope["contract"] in PERSONS:
            return PERSONS[envelope["contract"]](data, unit, _source(envelope))
        if envelope["contract"] == "registry.community.established":
            kind, subject_id, community = "community", data["community_id"], data["community_id"]
        elif envelope["contract"] == "registry.team.formed":
            kind, subject_id, community = "team", data["team_id"], data["community_id"]
        else:
            return []
        agg_id = Subject.create_id(kind, subject_id)
        if unit.get(agg_id) is not None:
            return []
        return [
            Subject(
                id=agg_id,
                subject_kind=kind,  # type: ignore[call-arg]
                subject_id=subject_id,
                name=data["name"],
                community_id=community,
                source=_source(envelope),
            )
        ]

    return handle


def _person_registered(data: dict[str, Any], unit: Unit, source: str) -> list[Aggregate]:
    if unit.get(Person.create_id(data["person_id"])) is not None:
        return []
    return [
        Person(
            id=Person.create_id(data["person_id"]),  # type: ignore[call-arg]
            person_id=data["person_id"],
            name=data["name"],
            party_member="party_member" in data["kinds"],
            source=source,
        )
    ]


def _became_party_member(data: dict[str, Any], unit: Unit, source: str) -> list[Aggregate]:
    person = unit.get(Person.create_id(data["person_id"]))
    if person is None:  # registry registers a person before recording their membership
        raise LookupError(
            f"person {data['person_id']} joined the party but is unknown to assessment"
        )
    return [person] if person.joined_party(data["joined_on"], source) else []


# registry's person events: who may hold pledges (party members, under the registry's name)
PERSONS = {
    "registry.person.registered": _person_registered,
    "registry.person.became_party_member": _became_party_member,
}


def fact_handler(app: Any) -> Handler:
    """Facts from casework or outreach; ``app`` gives ``settings.late_events`` and ``today``."""
    snapshots = Snapshots(app)

    def handle(envelope: dict[str, Any], unit: Unit) -> list[Aggregate]:
        spec = FACTS.get(envelope["contract"])
        if spec is None:
            return []
        kind, date_field, key_fields, value_fields = spec
        data, source = envelope["data"], _source(envelope)
        fact_id = Fact.create_id(source)
        if unit.get(fact_id) is not None:
            return []
        on = data[date_field] if date_field else _local_date(envelope["occurred_at"])
        late, moved, touched = route(
            unit, on, source, app.settings.late_events, app.today(), snapshots
        )
        fact = Fact(
            id=fact_id,
            source=source,
            kind=kind,  # type: ignore[call-arg]
            community_id=data["community_id"],
            team_id=data.get("team_id"),
            on=on,
            key=fact_key(key_fields, data),
            values={k: data[k] for k in value_fields},
            late=late,
            moved=moved,
            late_rule=app.settings.late_events if late else None,
        )
        return [fact, *touched]

    return handle


def route(
    unit: Unit, on: str, source: str, rule: str, today: str, snapshots: Snapshots | None = None
) -> tuple[list[str], dict[str, str], list[Period]]:
    """Which closed periods a fact dated ``on`` is late for, where it counts instead, and the
    periods written to (see the module docstring)."""
    late: list[str] = []
    moved: dict[str, str] = {}
    touched: dict[Any, Period] = {}
    for kind in PERIOD_KINDS:
        start = period_start(kind, on)
        period = _ended_period(unit, touched, kind, start, today, snapshots)
        if period is None or not period.closed:
            if period is not None:
                period.note_arrival(source, None, SYSTEM.to_dict())
            continue
        late.append(f"{kind}:{start}")
        if rule == "reopen":
            period.reopen("late_event", source, SYSTEM.to_dict())
            continue
        target = next_start(kind, start)
        while (
            nxt := _ended_period(unit, touched, kind, target, today, snapshots)
        ) is not None and nxt.closed:
            target = next_start(kind, target)
        moved[kind] = target
        period.note_arrival(source, None, SYSTEM.to_dict())
        if nxt is not None:
            nxt.note_arrival(source, f"{kind}:{start}", SYSTEM.to_dict())
    return late, moved, list(touched.values())


def _ended_period(
    unit: Unit,
    touched: dict[Any, Period],
    kind: str,
    start: str,
    today: str,
    snapshots: Snapshots | None,
) -> Period | None:
    """The period if it has ended (or ends today), created if need be; None if it is running
    (a running period cannot be scored, so nothing can race with it)."""
    if period_end(kind, start) > today:
        return None
    pid = Period.create_id(kind, start)
    fresh = pid not in touched and pid not in unit.touched
    period = touched.get(pid) or unit.get(pid)
    if period is not None and fresh and snapshots is not None:
        snapshots.maybe_take(period)
    if period is None:
        period = Period.open(kind, start, SYSTEM.to_dict())
    touched[pid] = period
    return period


class Snapshots:
    """Snapshots of periods that back-dated facts keep writing to (a backfill of a year writes
    one ``ArrivalAfterEnd`` per fact), so loading a period stays cheap. Only a state loaded from
    the store (committed) is snapshotted, every ``every`` versions."""

    def __init__(self, app: Any, every: int = 100) -> None:
        self.app = app
        self.every = every
        self.taken: dict[Any, int] = {}

    def maybe_take(self, period: Period) -> None:
        if self.app.snapshots is None or period.version < self.taken.get(period.id, 0) + self.every:
            return
        snapshot = getattr(type(period), "Snapshot", type(self.app).snapshot_class).take(period)
        with contextlib.suppress(IntegrityError):  # another replica took the same one
            self.app.snapshots.put([snapshot])
        self.taken[period.id] = period.version


def _source(envelope: dict[str, Any]) -> str:
    return f"{envelope['service']}:{envelope['position']}"


def _local_date(occurred_at: str) -> str:
    moment = dt.datetime.fromisoformat(occurred_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return local_date(moment)
