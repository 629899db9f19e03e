"""Finance on PostgreSQL, in process, each figure next to its baseline from the same run:

  1. vouchers posted through the whole chain (draft, submit, four reviews, post: seven
     commands through the use-case table) per second, and commands per second, next to raw
     eventsourcing appends of one small aggregate each (the store's own rate);
  2. the trial balance (科目余额表) of a ledger with ``--lines`` posted lines, next to a plain
     SQL aggregate over the same rows (psycopg, one GROUP BY): seconds and their ratio. The
     lines are written into the read model as its projection writes them.

Usage: .venv/bin/python benchmarks/finance_books.py [--vouchers 300] [--lines 100000] [--raw 1000]
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import common
import psycopg
from finance import tables as t
from finance.application import Finance
from finance.domain import Collective
from finance.usecases import USE_CASES
from harness import raw_appends
from shequ.actor import Actor
from shequ.clock import FixedClock
from shequ.store import Store

from tests.support.infra import pg_database

STAGES = ("clerk_check", "finance_group", "village_head", "agency")
PAY = [
    {"account": "513", "side": "debit", "amount_fen": 12_000},
    {"account": "102", "side": "credit", "amount_fen": 12_000},
]


def actors(village_id: str) -> dict[str, Actor]:
    def person(role: str) -> Actor:
        return Actor(person_id=str(uuid.uuid4()), role=role, village_id=village_id)

    return {
        "clerk": person("finance_clerk"),
        "clerk_check": person("finance_clerk"),
        "finance_group": person("finance_group"),
        "village_head": person("village_head"),
        "agency": Actor(person_id=str(uuid.uuid4()), role="agency_accountant"),
    }


def opened(db: str) -> tuple[Finance, Any, str, dict[str, Actor]]:
    """A finance app on ``db`` with one village's ledger opened on 2026-01-01."""
    app = Finance(Store.parse(db), clock=FixedClock("2026-01-28"))
    village = str(uuid.uuid4())
    app.save(
        Collective(village, "压测村", str(uuid.uuid4()), {"person_id": "bench", "role": "system"})
    )
    bound = USE_CASES.bind(app)
    who = actors(village)
    opening = {"102": 10**12, "301": -(10**12)}
    bound.open_ledger(
        who["agency"], "bench-ledger", village_id=village, opened_on="2026-01-01", opening=opening
    )
    return app, bound, village, who


def post_vouchers(db: str, n: int) -> tuple[float, float]:
    app, bound, village, who = opened(db)
    started = time.perf_counter()
    for i in range(n):
        key = f"bench-{i:06d}"
        voucher = bound.draft_voucher(
            who["clerk"],
            f"{key}-draft",
            village_id=village,
            voucher_date="2026-01-20",
            summary="压测凭证",
            lines=PAY,
            handler_id=who["clerk"].person_id,
        )["voucher_id"]
        bound.submit_voucher(who["clerk"], f"{key}-submit", voucher_id=voucher)
        for stage in STAGES:
            bound.review_voucher(
                who[stage], f"{key}-{stage}", voucher_id=voucher, stage=stage, outcome="approve"
            )
        bound.post_voucher(who["agency"], f"{key}-post", voucher_id=voucher)
    elapsed = time.perf_counter() - started
    app.close()
    return n / elapsed, 7 * n / elapsed


def trial_balance(db: str, lines: int) -> tuple[float, float, int]:
    app, bound, village, who = opened(db)
    accounts = ("513", "514", "511", "112", "121")
    rows = []
    for i in range(lines // 2):
        day = f"2026-01-{1 + i % 28:02d}"
        fen = 100 + i % 9_000
        base = {
            "voucher_id": f"v{i:08d}",
            "village_id": village,
            "voucher_date": day,
            "posted": True,
            "red": False,
        }
        rows.append(
            {
                **base,
                "line": 0,
                "account": accounts[i % 5],
                "side": "debit",
                "amount_fen": fen,
                "memo": "",
            }
        )
        rows.append(
            {**base, "line": 1, "account": "102", "side": "credit", "amount_fen": fen, "memo": ""}
        )
    with app.projector.engine.begin() as c:
        for start in range(0, len(rows), 10_000):
            c.execute(t.lines.insert(), rows[start : start + 10_000])
    bound.trial_balance(who["agency"], village, "2026-01")  # warm: caught up, plans cached
    started = time.perf_counter()
    tb = bound.trial_balance(who["agency"], village, "2026-01")
    ours = time.perf_counter() - started
    assert tb["balanced"] and tb["totals"]["debit_fen"] == sum(r["amount_fen"] for r in rows) // 2
    query = (
        "SELECT account, side, sum(amount_fen) FROM fin_lines "
        "WHERE village_id = %s AND posted GROUP BY account, side"
    )
    with psycopg.connect(db.replace("postgresql+psycopg", "postgresql")) as conn:
        conn.execute(query, (village,)).fetchall()
        started = time.perf_counter()
        conn.execute(query, (village,)).fetchall()
        plain = time.perf_counter() - started
    app.close()
    return ours, plain, len(rows)


def main() -> None:
    args = common.counts(vouchers=300, lines=100_000, raw=1000)
    with pg_database() as db:
        raw = raw_appends(db, args.raw)
    with pg_database() as db:
        vouchers, commands = post_vouchers(db, args.vouchers)
    print(f"finance on PostgreSQL, in process ({args.vouchers} vouchers through the whole chain):")
    print(f"  raw eventsourcing appends, sequential (baseline) {raw:8,.0f}/s")
    print(f"  vouchers posted (7 commands each)                {vouchers:8,.1f}/s")
    print(
        f"  commands                                         {commands:8,.0f}/s  {commands / raw:.2f}x raw"
    )
    with pg_database() as db:
        ours, plain, n = trial_balance(db, args.lines)
    print(f"trial balance of {n:,} posted lines:")
    print(f"  plain SQL GROUP BY (baseline)                    {plain * 1000:8,.1f} ms")
    print(
        f"  trial_balance use case                           {ours * 1000:8,.1f} ms  {ours / plain:.2f}x plain"
    )


if __name__ == "__main__":
    main()
