"""Read models of finance, fed in order from its own notification log: collectives, ledgers,
vouchers and their lines (the books are sums over the posted lines)."""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import ID, Handlers, Update, Upsert
from sqlalchemy import MetaData, delete, update
from sqlalchemy.orm import Session

from finance import tables as t
from finance.disclosurelog import append_publication
from finance.registers import RegistersProjection


def _json(name: str) -> Any:
    return lambda e: json.dumps(getattr(e, name), ensure_ascii=False, sort_keys=True)


class FinanceProjection(RegistersProjection, Handlers):
    """Tables for the collectives registry told of, ledgers, vouchers and lines; the
    registers beside the books (``finance.registers``)."""

    name = "finance"
    metadata: MetaData = t.metadata

    on_Collective__Known = Upsert(t.collectives, {"id": "village_id"}, "name", "community_id")
    on_Collective__Moved = Update(t.collectives, {"id": "village_id"}, "community_id")
    on_Ledger__Opened = Upsert(
        t.ledgers,
        {"id": ID},
        "village_id",
        "opened_on",
        opening=_json("opening"),
        closed=lambda e: "[]",
    )

    on_Ledger__ChartCarriedOver = Upsert(
        t.carryovers,
        {"ledger_id": ID},
        "village_id",
        carried_on=lambda e: e.on,
        opening=_json("opening"),
    )

    def on_Ledger__PeriodClosed(self, session: Session, e: Any) -> None:
        row = session.execute(
            t.ledgers.select().where(t.ledgers.c.id == str(e.originator_id))
        ).one()
        closed = [*json.loads(row.closed), e.period]
        session.execute(
            update(t.ledgers).where(t.ledgers.c.id == row.id).values(closed=json.dumps(closed))
        )

    def on_Voucher__Drafted(self, session: Session, e: Any) -> None:
        values = {"ledger_id": e.ledger_id, "village_id": e.village_id, "status": "draft"}
        self._content(session, e, values, insert=True)

    def on_Voucher__Amended(self, session: Session, e: Any) -> None:
        self._content(session, e, {"status": "draft"}, insert=False)

    def _content(self, session: Session, e: Any, values: dict[str, Any], insert: bool) -> None:
        voucher_id, c = str(e.originator_id), e.content
        row = {
            **values,
            "voucher_date": e.voucher_date,
            "period": e.voucher_date[:7],
            "summary": c["summary"],
            "kind": c.get("kind", "normal"),
            "corrects": c.get("corrects"),
            "handler_id": c["handler_id"],
            "total_fen": sum(x["amount_fen"] for x in c["lines"] if x["side"] == "debit"),
        }
        if insert:
            session.execute(delete(t.vouchers).where(t.vouchers.c.id == voucher_id))
            session.execute(t.vouchers.insert().values(id=voucher_id, **row))
            village = e.village_id
        else:
            session.execute(update(t.vouchers).where(t.vouchers.c.id == voucher_id).values(**row))
            village = (
                session.execute(t.vouchers.select().where(t.vouchers.c.id == voucher_id))
                .one()
                .village_id
            )
        session.execute(delete(t.lines).where(t.lines.c.voucher_id == voucher_id))
        session.execute(
            t.lines.insert(),
            [
                {
                    "voucher_id": voucher_id,
                    "line": i,
                    "account": x["account"],
                    "side": x["side"],
                    "amount_fen": -x["amount_fen"] if x.get("red") else x["amount_fen"],
                    "red": bool(x.get("red")),
                    "counterparty_id": x.get("counterparty_id"),
                    "contract_no": x.get("contract_no"),
                    "memo": x.get("memo", ""),
                    "village_id": village,
                    "voucher_date": e.voucher_date,
                    "posted": False,
                }
                for i, x in enumerate(c["lines"])
            ],
        )

    on_Disclosure__Prepared = Upsert(
        t.disclosures,
        {"id": ID},
        "village_id",
        "kind",
        "period",
        "due_on",
        "content_sha256",
        content=_json("content"),
    )
    on_Disclosure__Reviewed = Update(t.disclosures, {"id": ID}, "opinion")

    def on_Disclosure__Published(self, session: Session, e: Any) -> None:
        """Published: the date, and its lines and document appended to the district's public
        disclosure log (``finance.disclosurelog``)."""
        session.execute(
            update(t.disclosures)
            .where(t.disclosures.c.id == str(e.originator_id))
            .values(published_on=e.published_on)
        )
        append_publication(session, e)

    on_Contract__Signed = Upsert(
        t.contracts, {"id": ID}, "village_id", "number", terms=_json("terms")
    )
    on_Objection__Filed = Upsert(t.objections, {"id": ID}, "village_id", "disclosure_id", "due_on")
    on_Objection__Escalated = Update(t.objections, {"id": ID}, "due_on")
    on_Objection__Answered = Update(t.objections, {"id": ID}, "answered_on")

    on_Voucher__Submitted = Update(t.vouchers, {"id": ID}, status=lambda e: "submitted")
    on_Voucher__Voided = Update(t.vouchers, {"id": ID}, status=lambda e: "voided")

    def on_Voucher__Reviewed(self, session: Session, e: Any) -> None:
        if not e.approve:
            session.execute(
                update(t.vouchers)
                .where(t.vouchers.c.id == str(e.originator_id))
                .values(status="returned")
            )

    def on_Voucher__Posted(self, session: Session, e: Any) -> None:
        voucher_id = str(e.originator_id)
        session.execute(
            update(t.vouchers)
            .where(t.vouchers.c.id == voucher_id)
            .values(status="posted", number=e.number, posted_on=e.posted_on)
        )
        session.execute(
            update(t.lines).where(t.lines.c.voucher_id == voucher_id).values(posted=True)
        )
