"""Reactions: what assessment does with other services' integration events.

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

import datetime as dt
from typing import Any

from shequ.actor import SYSTEM
from shequ.casestats import CASE_FACTS, fact_key
from shequ.clock import local_date
from shequ.inbox import Unit
from shequ.reactions import Changed, Data, Reactions, Received

from assessment.domain import Fact, Period, Person, Subject
from assessment.domain.common import PERIOD_KINDS, next_start, period_end, period_start
from assessment.interests import CASEWORK, FINANCE, OUTREACH, REGISTRY


class RegistryReactions(Reactions):
    """Communities and service teams become subjects of assessment; persons and their party
    membership are kept so that pledges name a party member the registry knows."""

    upstream = "registry"
    interests = REGISTRY

    def on_community_established(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return _subject(unit, "community", d["community_id"], d, msg)

    def on_team_formed(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return _subject(unit, "team", d["team_id"], d, msg)

    def on_person_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
        if unit.get(Person.create_id(d["person_id"])) is not None:
            return []
        return [
            Person(
                person_id=d["person_id"],
                name=d["name"],
                party_member="party_member" in d["kinds"],
                source=msg.source,
            )
        ]

    def on_person_became_party_member(self, d: Data, unit: Unit, msg: Received) -> Changed:
        person = unit.get(Person.create_id(d["person_id"]))
        if person is None:  # registry registers a person before recording their membership
            raise LookupError(
                f"person {d['person_id']} joined the party but is unknown to assessment"
            )
        return [person] if person.joined_party(d["joined_on"], msg.source) else []


def _subject(unit: Unit, kind: str, subject_id: str, d: Data, msg: Received) -> Changed:
    if unit.get(Subject.create_id(kind, subject_id)) is not None:
        return []
    return [
        Subject(
            subject_kind=kind,
            subject_id=subject_id,
            name=d["name"],
            community_id=d["community_id"],
            source=msg.source,
        )
    ]


# contract -> (fact kind, date field or None for the envelope's time, natural key fields,
# value fields)
FACTS: dict[str, tuple[str, str | None, tuple[str, ...], tuple[str, ...]]] = {
    # casework's case facts as the affairs disclosure counts them (shequ.casestats)
    **{f"casework.{name}": spec for name, spec in CASE_FACTS.items()},
    "outreach.round.closed": (
        "round.closed",
        "period_end",
        ("round_id",),
        ("households_total", "households_visited"),
    ),
    "outreach.party_contact.logged": ("party_contact.logged", "contacted_on", ("contact_id",), ()),
    "outreach.party_contact.overdue": (
        "party_contact.overdue",
        "flagged_on",
        ("member_id", "household_id", "due_on"),
        (),
    ),
    "outreach.card.issued": ("card.issued", "issued_on", ("card_id", "version"), ()),
    # a village's disclosure of a kind and period (a quarter's, an immediate one, a correction
    # notice): published (late or not), or found overdue (D34)
    "finance.disclosure.published": (
        "disclosure.published",
        "published_on",
        ("village_id", "kind", "period"),
        ("late",),
    ),
    "finance.disclosure.overdue": (
        "disclosure.overdue",
        "due_on",
        ("village_id", "kind", "period"),
        (),
    ),
    # a villager's objection: answered (on time or not), or found overdue (D34)
    "finance.objection.answered": (
        "objection.answered",
        "answered_on",
        ("objection_id",),
        ("on_time",),
    ),
    "finance.objection.overdue": ("objection.overdue", "due_on", ("objection_id",), ()),
    # a village's voucher: posted (with how many times it was returned first), or returned
    "finance.voucher.posted": ("voucher.posted", "posted_on", ("voucher_id",), ("returns",)),
    "finance.voucher.returned": ("voucher.returned", "returned_on", ("voucher_id",), ()),
    "outreach.card.distributed": ("card.distributed", "distributed_on", ("card_id", "version"), ()),
    "outreach.survey.results_published": (
        "survey.results_published",
        "period_end",
        ("campaign_id", "village_id"),
        ("respondents", "awareness", "support", "participation"),
    ),
}


class FactReactions(Reactions):
    """Each event read becomes one ``Fact`` (``FACTS``: its kind, date, key and values); ``app``
    gives ``settings.late_events`` and ``today``."""

    def record(self, d: Data, unit: Unit, msg: Received) -> Changed:
        kind, date_field, key_fields, value_fields = FACTS[msg.contract]
        if unit.get(Fact.create_id(msg.source)) is not None:
            return []
        app = self.app
        on = d[date_field] if date_field else _local_date(str(msg.occurred_at))
        late, moved, touched = route(unit, on, msg.source, app.settings.late_events, app.today())
        fact = Fact(
            source=msg.source,
            kind=kind,
            community_id=d["community_id"],
            team_id=d.get("team_id"),
            on=on,
            key=fact_key(key_fields, d),
            values={k: d[k] for k in value_fields},
            late=late,
            moved=moved,
            late_rule=app.settings.late_events if late else None,
        )
        return [fact, *touched]


class CaseworkReactions(FactReactions):
    upstream = "casework"
    interests = CASEWORK

    on_case_opened = on_case_resolved = on_case_rated = FactReactions.record
    on_case_reopened = on_case_chased = on_case_reprimanded = FactReactions.record


class OutreachReactions(FactReactions):
    upstream = "outreach"
    interests = OUTREACH

    on_round_closed = on_party_contact_logged = on_party_contact_overdue = FactReactions.record
    on_card_issued = on_card_distributed = on_survey_results_published = FactReactions.record


class FinanceReactions(FactReactions):
    upstream = "finance"
    interests = FINANCE

    on_disclosure_published = on_disclosure_overdue = FactReactions.record
    on_objection_answered = on_objection_overdue = FactReactions.record
    on_voucher_posted = on_voucher_returned = FactReactions.record


def route(
    unit: Unit, on: str, source: str, rule: str, today: str
) -> tuple[list[str], dict[str, str], list[Period]]:
    """Which closed periods a fact dated ``on`` is late for, where it counts instead, and the
    periods written to (see the module docstring)."""
    late: list[str] = []
    moved: dict[str, str] = {}
    touched: dict[Any, Period] = {}
    for kind in PERIOD_KINDS:
        start = period_start(kind, on)
        period = _ended_period(unit, touched, kind, start, today)
        if period is None or not period.closed:
            if period is not None:
                period.note_arrival(source, None, SYSTEM.to_dict())
            continue
        late.append(f"{kind}:{start}")
        if rule == "reopen":
            period.reopen("late_event", source, SYSTEM.to_dict())
            continue
        target = next_start(kind, start)
        while (nxt := _ended_period(unit, touched, kind, target, today)) is not None and nxt.closed:
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
) -> Period | None:
    """The period if it has ended (or ends today), created if need be; None if it is running
    (a running period cannot be scored, so nothing can race with it)."""
    if period_end(kind, start) > today:
        return None
    pid = Period.create_id(kind, start)
    period = touched.get(pid) or unit.get(pid)
    if period is None:
        period = Period.open(kind, start, SYSTEM.to_dict())
    touched[pid] = period
    return period


def _local_date(occurred_at: str) -> str:
    moment = dt.datetime.fromisoformat(occurred_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return local_date(moment)
