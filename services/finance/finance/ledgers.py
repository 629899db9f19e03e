"""Use cases of a village's ledger (账套): opened on a chart with balanced opening balances,
months closed in order, and the trial balance (科目余额表) of a month from its posted lines.

The rules (F1 opening balances, F25 numbers, F26 closed months) live in
``finance.domain.ledger``."""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar

from pydantic import Field
from shequ.actor import Actor
from shequ.commands import Command, Day, Id, Keyed, Text, keyed
from shequ.handlers import changes, decides
from sqlalchemy import Connection, case, func, select

from finance import tables as t
from finance.base import FinanceBase
from finance.domain import Ledger, chart_on
from finance.domain.ledger import next_month
from finance.examples import MONTH, VILLAGE

Period = Annotated[str, Text(7, "会计期间（YYYY-MM）"), Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


def village_scope(cmd: Any, app: FinanceBase) -> Any:
    return app.village_target(cmd.village_id)


class OpenLedger(Keyed):
    """Open the books of a village collective on the chart in force on the opening date, with
    opening balances that balance (account -> fen, debit positive, credit negative)."""

    title = "建账"
    example = keyed(
        "ledger-dongwangjia",
        village_id=VILLAGE,
        opened_on="2026-01-01",
        opening={"102": 12_500_000, "151": 30_000_000, "301": -42_500_000},
    )
    village_id: Id
    opened_on: Day
    opening: Annotated[dict[str, int], Field(max_length=200)] = Field(default_factory=dict)


@decides(village_scope)
def open_ledger(cmd: OpenLedger, actor: Actor, app: FinanceBase) -> Any:
    Ledger.check_opening(cmd.opened_on, cmd.opening)
    app.ensure_new(Ledger.create_id(cmd.village_id), "该村账套", "village_id", "ledger.exists")
    ledger = Ledger(
        village_id=cmd.village_id,
        opened_on=cmd.opened_on,
        opening={k: v for k, v in cmd.opening.items() if v},
        actor=actor.to_dict(),
    )
    chart = chart_on(cmd.opened_on)
    return [ledger], {"ledger_id": str(ledger.id), "chart": chart.id if chart else None}


class ClosePeriod(Keyed):
    """Close a month (结账): months close in order, only after they end, never over a voucher
    still in review (F26)."""

    title = "结账"
    example = keyed("close-dongwangjia-2026-01", village_id=VILLAGE, period="2026-01")
    village_id: Id
    period: Period


@changes(lambda cmd, app: app.ledger(cmd.village_id), village_scope)
def close_period(
    cmd: ClosePeriod, actor: Actor, app: FinanceBase, ledger: Ledger
) -> dict[str, Any]:
    ledger.close_period(cmd.period, app.today(), actor.to_dict())
    return {"period": cmd.period, "next": next_month(cmd.period)}


class LedgerQuery(Command):
    """A village's ledger: opening date, chart, opening balances, closed months."""

    title = "查询账套"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE}
    village_id: Id


def ledger(cmd: LedgerQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("ledger", actor, app.village_target(cmd.village_id))
    with app.read() as c:
        row = c.execute(select(t.ledgers).where(t.ledgers.c.village_id == cmd.village_id)).first()
    if row is None:
        return {"village_id": cmd.village_id, "opened": False}
    chart = chart_on(row.opened_on)
    return {
        "village_id": cmd.village_id,
        "opened": True,
        "ledger_id": row.id,
        "opened_on": row.opened_on,
        "chart": chart.id if chart else None,
        "opening": json.loads(row.opening),
        "closed": json.loads(row.closed),
    }


class TrialBalanceQuery(Command):
    """The trial balance (科目余额表) of one month: per account the opening balance, the debits
    and credits posted in the month and the closing balance; every column totals and balances."""

    title = "科目余额表"
    example: ClassVar[dict[str, Any]] = MONTH
    village_id: Id
    period: Period


def movements(
    c: Connection, village_id: str, start: str, end: str
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Per account: the balance before ``start`` (the opening balances and every posted line
    dated earlier; debit positive), and the debits and credits posted from ``start`` to before
    ``end``. Red lines count negative."""
    ln = t.lines
    row = c.execute(select(t.ledgers).where(t.ledgers.c.village_id == village_id)).first()
    moved = c.execute(
        select(
            ln.c.account,
            ln.c.side,
            (ln.c.voucher_date < start).label("before"),
            func.sum(ln.c.amount_fen),
        )
        .where(ln.c.village_id == village_id, ln.c.posted, ln.c.voucher_date < end)
        .group_by(ln.c.account, ln.c.side, "before")
    ).all()
    opening: dict[str, int] = dict(json.loads(row.opening)) if row else {}
    debit: dict[str, int] = {}
    credit: dict[str, int] = {}
    for account, side, before, fen in moved:
        if before:
            opening[account] = opening.get(account, 0) + (
                int(fen) if side == "debit" else -int(fen)
            )
        else:
            (debit if side == "debit" else credit)[account] = int(fen)
    return opening, debit, credit


def trial_balance(cmd: TrialBalanceQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("trial_balance", actor, app.village_target(cmd.village_id))
    start, end = f"{cmd.period}-01", f"{next_month(cmd.period)}-01"
    with app.read() as c:
        opening, debit, credit = movements(c, cmd.village_id, start, end)
    chart = chart_on(start)
    rows: list[dict[str, Any]] = []
    for code in sorted(set(opening) | set(debit) | set(credit)):
        o, d, cr = opening.get(code, 0), debit.get(code, 0), credit.get(code, 0)
        account = chart.account(code) if chart else None
        rows.append(
            {
                "account": code,
                "name": account.name if account else "",
                "opening_fen": o,
                "debit_fen": d,
                "credit_fen": cr,
                "closing_fen": o + d - cr,
            }
        )
    totals = {
        k: sum(r[k] for r in rows)
        for k in ("opening_fen", "debit_fen", "credit_fen", "closing_fen")
    }
    return {
        "village_id": cmd.village_id,
        "period": cmd.period,
        "rows": rows,
        "totals": totals,
        "balanced": totals["opening_fen"] == 0
        and totals["closing_fen"] == 0
        and totals["debit_fen"] == totals["credit_fen"],
    }


class JournalQuery(Command):
    """The journal of one account over a month (日记账/明细账): every posted line in date and
    number order with its running balance from the month's opening balance — for 101 the cash
    journal (现金日记账), for 102 the bank journal (银行存款日记账); optionally one
    counterparty's lines only (往来明细账)."""

    title = "日记账与明细账"
    example: ClassVar[dict[str, Any]] = {**MONTH, "account": "102"}
    village_id: Id
    account: Annotated[str, Text(20, "会计科目代码")]
    period: Period
    counterparty_id: Id | None = None


def journal(cmd: JournalQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("journal", actor, app.village_target(cmd.village_id))
    start, end = f"{cmd.period}-01", f"{next_month(cmd.period)}-01"
    ln, v = t.lines, t.vouchers
    debit_positive = case((ln.c.side == "debit", ln.c.amount_fen), else_=-ln.c.amount_fen)
    where = [ln.c.village_id == cmd.village_id, ln.c.posted, ln.c.account == cmd.account]
    if cmd.counterparty_id:
        where.append(ln.c.counterparty_id == cmd.counterparty_id)
    with app.read() as c:
        row = c.execute(select(t.ledgers).where(t.ledgers.c.village_id == cmd.village_id)).first()
        before = c.execute(
            select(func.coalesce(func.sum(debit_positive), 0)).where(
                *where, ln.c.voucher_date < start
            )
        ).scalar()
        moves = c.execute(
            select(
                ln.c.voucher_date, v.c.number, v.c.summary, ln.c.memo, ln.c.side, ln.c.amount_fen
            )
            .join(v, v.c.id == ln.c.voucher_id)
            .where(*where, ln.c.voucher_date >= start, ln.c.voucher_date < end)
            .order_by(ln.c.voucher_date, v.c.number, ln.c.line)
        ).all()
    opening = json.loads(row.opening).get(cmd.account, 0) if row and not cmd.counterparty_id else 0
    balance = opening + int(before or 0)
    rows = [{"date": None, "number": None, "summary": "期初余额", "balance_fen": balance}]
    for day, number, summary, memo, side, fen in moves:
        debit, credit = (fen, 0) if side == "debit" else (0, fen)
        balance += debit - credit
        rows.append(
            {
                "date": day,
                "number": number,
                "summary": memo or summary,
                "debit_fen": debit,
                "credit_fen": credit,
                "balance_fen": balance,
            }
        )
    chart = chart_on(start)
    account = chart.account(cmd.account) if chart else None
    return {
        "village_id": cmd.village_id,
        "account": cmd.account,
        "name": account.name if account else "",
        "period": cmd.period,
        "rows": rows,
        "debit_fen": sum(r.get("debit_fen", 0) for r in rows),
        "credit_fen": sum(r.get("credit_fen", 0) for r in rows),
        "closing_fen": balance,
    }
