"""Where a village's books start for a period: the ledger's opening balances, or — for a period
from 2024-01-01 on, once a ledger kept on the 2004 chart carried its balances over to the 2023
chart — the carried balances, counting only the lines posted from that day. Lines dated before
the carry-over stay on the old chart's codes, so the old years' books never change."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from finance import tables as t
from finance.domain.carryover import carry_over_table

FIRST_DAY = "0001-01-01"


def carry_over_row(c: Connection, village_id: str) -> Any | None:
    """The village's carry-over (its day and opening balances), if its books carried over."""
    return c.execute(select(t.carryovers).where(t.carryovers.c.village_id == village_id)).first()


def starting_point(c: Connection, village_id: str, start: str) -> tuple[dict[str, int], str]:
    """The balances (debit positive) a period starting ``start`` builds on, and the first day
    whose posted lines count on top of them."""
    carried = carry_over_row(c, village_id)
    if carried is not None and start >= carried.carried_on:
        return dict(json.loads(carried.opening)), carried.carried_on
    ledger = c.execute(select(t.ledgers).where(t.ledgers.c.village_id == village_id)).first()
    return (dict(json.loads(ledger.opening)) if ledger else {}), FIRST_DAY


def recoder(c: Connection, village_id: str, start: str) -> Any:
    """``code(account, day)``: the account a balance dated ``day`` stands on for a period
    starting ``start`` — its 2023 account if it was carried over to it (a claims account has
    one), else itself."""
    carried = carry_over_row(c, village_id)
    rows = carry_over_table().rows

    def code(account: str, day: str) -> str:
        if carried is None or start < carried.carried_on or day >= carried.carried_on:
            return account
        row = rows.get(account)
        return row.to if row is not None and row.to is not None else account

    return code
