"""Read models of the village's registers beside the books: counterparties and their opening
balances (F3), resources (F5), the annual plans, distributions and 一事一议 projects
(F7–F9), land compensation and construction projects (D4). The tables share finance's MetaData (``finance.tables``); ``RegistersProjection``
is mixed into ``FinanceProjection``."""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import ID, Update, Upsert
from shequ.readmodel import day, fen, key, number, ref, table, text
from sqlalchemy import Index, Table, select, update
from sqlalchemy.orm import Session

from finance.tables import metadata


def as_json(name: str) -> Any:
    return lambda e: json.dumps(getattr(e, name), ensure_ascii=False, sort_keys=True)


counterparties = table(
    "fin_counterparties",
    metadata,
    (key("id"), ref("village_id"), text("kind", 20), text("name", 100), ref("person_id")),
    (text("opening"),),
    Index("fin_counterparties_village", "village_id"),
)

resources = table(
    "fin_resources",
    metadata,
    (key("id"), ref("village_id"), text("type", 20), text("name", 100), number("area_centimu")),
    (text("location", 100), text("status", 20), text("contract_no", 30), day("since")),
    (text("history"),),  # [[status, since, contract_no], ...] in order
    Index("fin_resources_village", "village_id"),
)

plans = table(
    "fin_plans",
    metadata,
    (key("id"), ref("village_id"), number("year"), text("items"), ref("decision_id")),
    (day("adopted_on"),),
    Index("fin_plans_village", "village_id", "year", unique=True),
)
distributions = table(
    "fin_distributions",
    metadata,
    (key("id"), ref("village_id"), number("year"), text("body")),
    Index("fin_distributions_village", "village_id", "year", unique=True),
)
pooled = table(
    "fin_pooled",
    metadata,
    (key("id"), ref("village_id"), text("number", 30), number("year"), day("decided_on")),
    (ref("decision_id"), text("project")),
    Index("fin_pooled_village", "village_id", "year"),
)

compensations = table(
    "fin_compensations",
    metadata,
    (key("id"), ref("village_id"), text("batch", 30), day("approved_on"), text("terms")),
    Index("fin_compensations_village", "village_id", "approved_on"),
)

projects = table(
    "fin_projects",
    metadata,
    (key("id"), ref("village_id"), text("number", 30), day("decided_on"), text("terms")),
    (fen("final_fen"), day("settled_on")),
    Index("fin_projects_village", "village_id", "decided_on"),
)


def changed(session: Session, e: Any, status: str, contract_no: str | None) -> None:
    """A resource's status from ``e.on``, appended to its history."""
    found = session.execute(select(resources).where(resources.c.id == str(e.originator_id))).one()
    history = [*json.loads(found.history or "[]"), [status, e.on, contract_no]]
    session.execute(
        update(resources)
        .where(resources.c.id == found.id)
        .values(status=status, since=e.on, contract_no=contract_no, history=json.dumps(history))
    )


def with_terms(table: Table, key: str, dated: str) -> Upsert:
    """The row of a village's record kept under its ``key`` with its terms (land compensation
    by batch, a construction project by number), dated by the day its terms name."""
    return Upsert(
        table,
        {"id": ID},
        "village_id",
        key,
        terms=as_json("terms"),
        **{dated: lambda e: e.terms[dated]},
    )


def recorded(name: str) -> Any:
    return lambda e: e.record[name]


class RegistersProjection:
    """Handlers of the registers' events (``shequ.projection.Handlers`` finds them by name)."""

    on_Counterparty__Registered = Upsert(
        counterparties,
        {"id": ID},
        "village_id",
        "kind",
        "name",
        "person_id",
        opening=as_json("opening"),
    )

    on_Resource__Registered = Upsert(
        resources,
        {"id": ID},
        "village_id",
        type=recorded("type"),
        name=recorded("name"),
        area_centimu=recorded("area_centimu"),
        location=recorded("location"),
        status=lambda e: "available",
        since="registered_on",
        history=lambda e: json.dumps([["available", e.registered_on, None]]),
    )

    def on_Resource__Let(self, session: Session, e: Any) -> None:
        changed(session, e, "contracted", e.contract_no)

    def on_Resource__StatusChanged(self, session: Session, e: Any) -> None:
        changed(session, e, e.status, None)

    on_AnnualPlan__Adopted = Upsert(
        plans, {"id": ID}, "village_id", "year", "decision_id", "adopted_on", items=as_json("items")
    )
    on_Distribution__Decided = Upsert(
        distributions,
        {"id": ID},
        "village_id",
        "year",
        body=lambda e: json.dumps(
            {
                k: getattr(e, k)
                for k in (
                    "distributable_fen",
                    "allocations",
                    "members",
                    "decision_id",
                    "decided_on",
                )
            },
            sort_keys=True,
        ),
    )
    on_PooledProject__Decided = Upsert(
        pooled,
        {"id": ID},
        "village_id",
        "number",
        "decided_on",
        "decision_id",
        year=lambda e: int(e.decided_on[:4]),
        project=as_json("project"),
    )
    on_LandCompensation__Recorded = with_terms(compensations, "batch", "approved_on")
    on_Project__Registered = with_terms(projects, "number", "decided_on")
    on_Project__Settled = Update(projects, {"id": ID}, "final_fen", "settled_on")
