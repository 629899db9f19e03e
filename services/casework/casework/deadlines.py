"""The deadline scan: chase (催办) what is overdue, reprimand (通报) what stays overdue.

Runs on the application's own clock only (the service's deadline job, or staff calling the
RPC by hand): a caller cannot name the time, since a time ahead of the clock would chase and
reprimand cases early, and assessment would count them. Tests build the application with a
clock they set (``Casework(store, clock=...)``); nothing sleeps. Each notice is its own
command with an idempotency key naming the case, the missed due date and the kind, so replicas
scanning at once, or a scan repeated after a crash, never send a notice twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Command
from shequ.errors import RuleViolation
from shequ.metrics import SLA_BREACHES
from sqlalchemy import select

from casework import tables as t
from casework.base import CaseworkBase
from casework.domain import Case, Mediation, VillageDecision
from casework.domain.common import Fact, violation

PROCEDURES: dict[str, Any] = {"dispute": Mediation, "decision": VillageDecision}

# Notices are recorded as the deadline timer's, whoever started the scan: the same notice
# must have the same fingerprint under its idempotency key.
TIMER = Actor(person_id="system:deadlines", role="system")


class ScanDeadlines(Command):
    """Chase, reprimand and close by the deadlines, as of today by the service's clock."""

    title = "扫描办理期限"


def scan_deadlines(cmd: ScanDeadlines, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """Chase every overdue case once per missed due date (a dispute or village decision
    whose procedure has ended is resolved instead); reprimand those still overdue
    ``reprimand_after_days`` after the chase; close answered cases whose reopening window
    has passed without the resident reopening them; all as of today by the service's
    clock. Example: ``{}``
    """
    app.policy.check("scan_deadlines", actor, Target())
    today = app.today()
    late = (
        dt.date.fromisoformat(today) - dt.timedelta(days=app.settings.reprimand_after_days)
    ).isoformat()
    cs = t.cases
    with app.read() as c:
        rows = c.execute(
            select(
                cs.c.id,
                cs.c.case_type,
                cs.c.due_on,
                cs.c.chased_for,
                cs.c.chased_on,
                cs.c.reprimanded_for,
            )
            .where(t.overdue_on(today))
            .order_by(cs.c.due_on, cs.c.id)
        ).all()
        settled = (
            c.execute(
                select(cs.c.id)
                .where(
                    cs.c.state.in_(("answered", "rated")),
                    cs.c.reopen_until.is_not(None),
                    cs.c.reopen_until < today,
                )
                .order_by(cs.c.id)
            )
            .scalars()
            .all()
        )
    chased, reprimanded, resolved = [], [], []
    for row in rows:
        if row.case_type in PROCEDURES and _procedure_ended(app, row.id, row.case_type):
            resolved.append(row.id)  # its procedure had ended: resolved, not chased
        elif row.chased_for != row.due_on:
            if send_notice(app, "chase", row.id, row.due_on, today):
                chased.append(row.id)
        elif (
            row.reprimanded_for != row.due_on
            and (row.chased_on or today) <= late
            and send_notice(app, "reprimand", row.id, row.due_on, today)
        ):
            reprimanded.append(row.id)
    closed = [case_id for case_id in settled if _close_settled(app, case_id, today)]
    return {
        "on": today,
        "chased": chased,
        "reprimanded": reprimanded,
        "closed": closed,
        "resolved": resolved,
    }


def _procedure_ended(app: CaseworkBase, case_id: str, case_type: str) -> bool:
    """Resolve a case whose mediation or decision has ended (stored before a procedure's
    end moved its case on by itself); once: keyed by the case."""
    kind = PROCEDURES[case_type]
    try:
        ended: tuple[str, list[str]] | None = app.repository.get(
            kind.create_id(case_id)
        ).conclusion()
    except AggregateNotFoundError:
        return False
    if ended is None:
        return False

    def decide() -> Any:
        case = app.get(case_id, Case, "案件", "case_id")
        if not case.conclude(Fact(ended[0], TIMER.to_dict()), ended[1]):
            raise violation(
                "transition", "案件已不在办理中", "the case is no longer handled", "case_id"
            )
        return [case], {"case_id": case_id, "resolved_on": case.resolved_on}

    try:
        app.execute(
            "resolve_case", f"deadline:conclude:{case_id}", TIMER, {"case_id": case_id}, decide
        )
    except RuleViolation:
        return False
    return True


def _close_settled(app: CaseworkBase, case_id: str, today: str) -> bool:
    """Close an answered case once nobody reopened it in time (once: keyed by the case)."""

    def decide() -> Any:
        case = app.get(case_id, Case, "案件", "case_id")
        case.close(today, TIMER.to_dict())
        return [case], {"case_id": case_id, "closed_on": today}

    try:
        app.execute("close_case", f"deadline:close:{case_id}", TIMER, {"case_id": case_id}, decide)
    except RuleViolation:
        return False  # reopened or closed since the read model was read
    return True


def send_notice(app: CaseworkBase, kind: str, case_id: str, due_on: str, today: str) -> bool:
    key = f"deadline:{kind}:{case_id}:{due_on}"

    def decide() -> Any:
        case = app.get(case_id, Case, "案件", "case_id")
        (case.chase if kind == "chase" else case.reprimand)(today, TIMER.to_dict())
        return [case], {"case_id": case_id, kind: today}

    try:
        app.execute(f"{kind}_case", key, TIMER, {"case_id": case_id, "due_on": due_on}, decide)
    except RuleViolation:
        return False  # the case moved on since the read model was read
    SLA_BREACHES.labels("casework", kind).inc()
    return True
