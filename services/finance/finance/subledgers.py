"""The counterparties' subledgers (往来明细账) and their reconciliation with the books (F31):
each claims account's balance equals the sum of its counterparties' opening balances and the
posted lines naming them. Used by closing a month and preparing a disclosure, which refuse
``period.unreconciled`` naming the first account that disagrees."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, case, func, select

from finance import tables as t
from finance.balances import FIRST_DAY, recoder, starting_point
from finance.domain.common import refuse, yuan
from finance.domain.party import claims_on
from finance.registers import counterparties as cp_table


def subledgers(
    c: Connection, village_id: str, start: str, end: str
) -> dict[tuple[str, str], list[int]]:
    """Per (counterparty, account): [balance before ``start``, debits, credits from ``start``
    to before ``end``], from its opening balances and the posted lines naming it; debit
    positive, red lines negative; from the carry-over to the 2023 chart on, what stood on an
    old claims account stands on its new one."""
    ln = t.lines
    code = recoder(c, village_id, start)
    out: dict[tuple[str, str], list[int]] = {}
    for row in c.execute(select(cp_table).where(cp_table.c.village_id == village_id)):
        for account, fen in json.loads(row.opening).items():
            out.setdefault((row.id, code(account, FIRST_DAY)), [0, 0, 0])[0] += fen
    moved = c.execute(
        select(ln.c.counterparty_id, ln.c.account, ln.c.side, ln.c.voucher_date, ln.c.amount_fen)
        .join(cp_table, cp_table.c.id == ln.c.counterparty_id)
        .where(
            ln.c.village_id == village_id,
            cp_table.c.village_id == village_id,
            ln.c.posted,
            ln.c.voucher_date < end,
        )
    ).all()
    for party, account, side, day, fen in moved:
        sums = out.setdefault((party, code(account, day)), [0, 0, 0])
        if day < start:
            sums[0] += fen if side == "debit" else -fen
        else:
            sums[1 if side == "debit" else 2] += fen
    return out


def reconciliation(c: Connection, village_id: str, end: str) -> list[dict[str, Any]]:
    """Each claims account in force the day before ``end``: its balance in the books at the end
    of that day and the sum of its counterparties' subledgers (F31)."""
    ln = t.lines
    signed = case((ln.c.side == "debit", ln.c.amount_fen), else_=-ln.c.amount_fen)
    books, first = starting_point(c, village_id, end)
    for account, fen in c.execute(
        select(ln.c.account, func.sum(signed))
        .where(
            ln.c.village_id == village_id,
            ln.c.posted,
            ln.c.voucher_date >= first,
            ln.c.voucher_date < end,
        )
        .group_by(ln.c.account)
    ):
        books[account] = books.get(account, 0) + int(fen)
    parties = subledgers(c, village_id, end, end)
    last_day = (dt.date.fromisoformat(end) - dt.timedelta(days=1)).isoformat()
    return [
        {
            "account": a,
            "books_fen": books.get(a, 0),
            "subledger_fen": sum(v[0] for (_, acc), v in parties.items() if acc == a),
        }
        for a in claims_on(last_day)
    ]


def check_reconciled(c: Connection, village_id: str, end: str) -> None:
    """F31: refused (``period.unreconciled``, naming the account) unless every claims
    account's subledgers add up to its balance at the end of the day before ``end``."""
    for row in reconciliation(c, village_id, end):
        if row["books_fen"] != row["subledger_fen"]:
            a = row["account"]
            raise refuse(
                "period.unreconciled",
                f"{a} 科目的往来明细合计 {yuan(row['subledger_fen'])} 元与账面 "
                f"{yuan(row['books_fen'])} 元不符（有分录未注明往来单位或个人），不能结账",
                f"the subledgers of account {a} ({yuan(row['subledger_fen'])} yuan) differ "
                f"from the books ({yuan(row['books_fen'])} yuan): a line names no counterparty",
                "period",
                **row,
            )
