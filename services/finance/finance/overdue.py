"""D7: disclosures that passed their due date unpublished, recorded once per obligation.

Every quarter of a ledger's life that has ended is an obligation: its periodic disclosure is due
by ``periodic_due_day`` of the next quarter's first month (D2). The daily sweep records an
``Overdue`` for each obligation past its due date with no published disclosure; the id is the
obligation's, so a second sweep, another replica or a replay records nothing more."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import IntegrityError
from shequ.actor import Actor
from shequ.metrics import SLA_BREACHES
from sqlalchemy import select

from finance import tables as t
from finance.base import FinanceBase
from finance.domain import Overdue
from finance.domain.disclosure import due_on, quarters_between

SWEEPER = Actor(person_id="system:finance-overdue", role="system")


def overdue_obligations(app: FinanceBase) -> list[dict[str, str]]:
    """(village, kind, period, due_on) of every disclosure past its due date unpublished: the
    periodic ones of every ended quarter of a ledger's life, the immediate ones prepared at
    posting, the correction notices prepared with a periodic one (D33), the special ones (D4)
    prepared by their events or for a quarter."""
    today = app.today()
    with app.read() as c:
        ledgers = c.execute(select(t.ledgers.c.village_id, t.ledgers.c.opened_on)).all()
        published = {
            (r.village_id, r.period)
            for r in c.execute(
                select(t.disclosures.c.village_id, t.disclosures.c.period).where(
                    t.disclosures.c.kind == "periodic", t.disclosures.c.published_on.is_not(None)
                )
            )
        }
        immediate = c.execute(
            select(
                t.disclosures.c.village_id,
                t.disclosures.c.kind,
                t.disclosures.c.period,
                t.disclosures.c.due_on,
            ).where(
                t.disclosures.c.kind.in_(("immediate", "correction", "special")),
                t.disclosures.c.published_on.is_(None),
                t.disclosures.c.due_on < today,
            )
        ).all()
    late = [
        {"village_id": r.village_id, "kind": r.kind, "period": r.period, "due_on": r.due_on}
        for r in immediate
    ]
    for village_id, opened_on in sorted(ledgers):
        for quarter in quarters_between(opened_on, today):
            due = app.due(due_on(quarter, app.settings.periodic_due_day))
            if due < today and (village_id, quarter) not in published:
                late.append(
                    {"village_id": village_id, "kind": "periodic", "period": quarter, "due_on": due}
                )
    return late


def record_overdue(app: FinanceBase) -> int:
    """Record what is overdue and not yet recorded; how many were recorded now."""
    recorded = 0
    for ob in overdue_obligations(app):
        overdue_id = Overdue.create_id(ob["village_id"], ob["kind"], ob["period"])
        if app.exists(overdue_id):
            continue
        overdue = Overdue(
            village_id=ob["village_id"],
            community_id=app.collective(ob["village_id"]).community_id,
            kind=ob["kind"],
            period=ob["period"],
            due_on=ob["due_on"],
            actor=SWEEPER.to_dict(),
        )
        try:
            app.save(overdue)
        except IntegrityError:
            continue  # another replica recorded it first
        SLA_BREACHES.labels("finance", f"disclosure_{ob['kind']}").inc()
        recorded += 1
    return recorded


def record_unanswered(app: FinanceBase) -> int:
    """D32: objections past their due date unanswered, each due date recorded once; how many
    were recorded now."""
    today = app.today()
    o = t.objections
    with app.read() as c:
        ids = list(
            c.execute(
                select(o.c.id).where(o.c.answered_on.is_(None), o.c.due_on < today).order_by(o.c.id)
            ).scalars()
        )
    recorded = 0
    for objection_id in ids:
        objection = app.objection(objection_id)
        if not objection.overdue_on(today):
            continue
        objection.record_overdue(
            objection.due_on, objection.village_id, objection.community_id, SWEEPER.to_dict()
        )
        try:
            app.save(objection)
        except IntegrityError:
            continue  # changed meanwhile (answered, or recorded by another replica)
        SLA_BREACHES.labels("finance", "objection").inc()
        recorded += 1
    return recorded


def sweep(app: FinanceBase) -> Any:
    """The service's daily pass (``shequ.jobs``): once a day, record the overdue disclosures
    and objections."""
    swept_on = ""

    def run() -> None:
        nonlocal swept_on
        if app.today() != swept_on:
            record_overdue(app)
            record_unanswered(app)
            swept_on = app.today()

    return run
