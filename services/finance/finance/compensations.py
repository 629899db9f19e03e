"""Use cases of the special disclosures (专项公开, D4) beyond those a contract or a 一事一议
project prepares when it is recorded (``finance.specials``): a batch of land requisition
compensation recorded, with its special disclosure at once; and one special disclosure per topic
and quarter as a table, once the quarter's months are closed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from shequ.actor import Actor
from shequ.commands import Choice, Count, Day, Id, Keyed, Text, keyed
from shequ.handlers import decides
from sqlalchemy import Connection, select

from finance import tables as t
from finance.base import FinanceBase
from finance.domain import Disclosure, chart_on
from finance.domain.common import refuse
from finance.domain.compensation import LandCompensation
from finance.domain.disclosure import check_quarter_closed, due_on, quarter_months
from finance.domain.ledger import next_month
from finance.domain.resource import Resource
from finance.examples import VILLAGE
from finance.fields import Area, Quarter
from finance.ledgers import village_scope
from finance.plans import pooled_table, posted_sums
from finance.projects import project_table
from finance.registers import compensations
from finance.specials import at_once, contract_row, land_row, pooled_row, special


class RecordLandCompensation(Keyed):
    """Record a batch of land requisition compensation (征地补偿, D4): the area taken, the
    compensation, what the collective keeps and what goes to households (adding up to the
    whole), how many households; the resource taken, if on the register, becomes
    requisitioned. Its special disclosure is prepared at once."""

    title = "录入征地补偿"
    example = keyed(
        "compensation-dongwangjia-2026-01",
        village_id=VILLAGE,
        batch="ZD-2026-01",
        area_centimu=1_250,
        total_fen=37_500_000,
        retained_fen=7_500_000,
        distributed_fen=30_000_000,
        households=36,
        approved_on="2026-06-30",
    )
    village_id: Id
    batch: Annotated[str, Text(30, "批次")]
    area_centimu: Area
    total_fen: Annotated[int, Count(0, 10**13, "补偿总额（分）")]
    retained_fen: Annotated[int, Count(0, 10**13, "集体留存（分）")]
    distributed_fen: Annotated[int, Count(0, 10**13, "分配到户合计（分）")]
    households: Annotated[int, Count(0, 10**6, "户数")]
    approved_on: Day
    resource_id: Id | None = None


@decides(village_scope)
def record_land_compensation(cmd: RecordLandCompensation, actor: Actor, app: FinanceBase) -> Any:
    app.ledger(cmd.village_id)
    day = app.not_future(cmd.approved_on, "approved_on")
    LandCompensation.check(cmd.total_fen, cmd.retained_fen, cmd.distributed_fen)
    app.ensure_new(
        LandCompensation.create_id(cmd.village_id, cmd.batch),
        "该征地补偿批次",
        "batch",
        "compensation.exists",
    )
    changed: list[Any] = []
    if cmd.resource_id:
        taken = app.get(cmd.resource_id, Resource, "资源", "resource_id")
        if taken.village_id != cmd.village_id:
            raise refuse(
                "compensation.resource",
                "被征收的资源须为本村登记在册的资源",
                "the resource requisitioned is on this village's register",
                "resource_id",
            )
        taken.change_status("requisitioned", day, f"征地批次 {cmd.batch}", actor.to_dict())
        changed.append(taken)
    terms = cmd.model_dump(exclude={"idempotency_key", "village_id", "batch"})
    recorded = LandCompensation(
        village_id=cmd.village_id, batch=cmd.batch, terms=terms, actor=actor.to_dict()
    )
    disclosure = at_once(app, cmd.village_id, "land", cmd.batch, land_row(cmd.batch, terms), actor)
    return [recorded, *changed, disclosure], {
        "compensation_id": str(recorded.id),
        "disclosure_id": str(disclosure.id),
    }


class PrepareSpecial(Keyed):
    """Prepare a village's special disclosure of one topic for a quarter (D4), once every month
    of the quarter is closed: the land compensation recorded in it; the contracts running in
    it with what each was due (annual rent × months ÷ 12, half up), received (income lines
    naming its number) and owes; the year's 一事一议 projects decided by its end with what the
    books show raised and spent; the construction projects under way in it with what was paid
    (在建工程 lines naming them) and, once settled, the final account."""

    title = "编制专项公开"
    example = keyed(
        "special-dongwangjia-contract-2026Q2", village_id=VILLAGE, topic="contract", period="2026Q2"
    )
    village_id: Id
    topic: Annotated[str, Choice(("land", "contract", "pooled", "project"), "专项")]
    period: Quarter


@decides(village_scope)
def prepare_special(cmd: PrepareSpecial, actor: Actor, app: FinanceBase) -> Any:
    months = quarter_months(cmd.period)
    check_quarter_closed(app.ledger(cmd.village_id).closed, cmd.period)
    app.ensure_new(
        Disclosure.create_id(cmd.village_id, "special", f"{cmd.topic}:{cmd.period}"),
        "该季度专项公开",
        "period",
        "disclosure.exists",
    )
    start, end = f"{months[0]}-01", f"{next_month(months[-1])}-01"
    with app.read() as c:
        rows = TABLES[cmd.topic](c, cmd.village_id, start, end)
    due = app.due(due_on(cmd.period, app.settings.periodic_due_day))
    disclosure = special(app, cmd.village_id, cmd.topic, cmd.period, rows, due, actor)
    return [disclosure], {
        "disclosure_id": str(disclosure.id),
        "content_sha256": disclosure.content_sha256,
        "due_on": disclosure.due_on,
    }


def land_table(c: Connection, village_id: str, start: str, end: str) -> list[dict[str, Any]]:
    found = c.execute(
        select(compensations).where(
            compensations.c.village_id == village_id,
            compensations.c.approved_on >= start,
            compensations.c.approved_on < end,
        )
    ).all()
    return land_rows({r.batch: json.loads(r.terms) for r in found}, start, end)


def land_rows(batches: Mapping[str, dict[str, Any]], start: str, end: str) -> list[dict[str, Any]]:
    """The batches (terms by batch) approved from ``start`` to before ``end``, by date and
    batch (pure: the report of the sealed events makes the table with it too)."""
    return [
        land_row(batch, terms)
        for batch, terms in sorted(batches.items(), key=lambda b: (b[1]["approved_on"], b[0]))
        if start <= terms["approved_on"] < end
    ]


def months_within(term_start: str, term_end: str, start: str, end: str) -> int:
    """How many months from ``start`` to before ``end`` a term touches."""
    count, month = 0, start[:7]
    while f"{month}-01" < end:
        if term_start < f"{next_month(month)}-01" and term_end >= f"{month}-01":
            count += 1
        month = next_month(month)
    return count


def income_accounts(start: str) -> list[str]:
    """The income accounts of the chart in force on ``start``: a contract's receipts."""
    chart = chart_on(start)
    return [a for a, acc in chart.accounts.items() if acc.cls == "income"] if chart else []


def contract_table(c: Connection, village_id: str, start: str, end: str) -> list[dict[str, Any]]:
    ln, c_ = t.lines, t.contracts
    received = posted_sums(
        c,
        ln.c.contract_no,
        ln.c.village_id == village_id,
        ln.c.side == "credit",
        ln.c.account.in_(income_accounts(start)),
        ln.c.contract_no.is_not(None),
        ln.c.voucher_date >= start,
        ln.c.voucher_date < end,
    )
    contracts = {
        r.number: json.loads(r.terms)
        for r in c.execute(select(c_).where(c_.c.village_id == village_id)).all()
    }
    return contract_rows(contracts, received, start, end)


def contract_rows(
    contracts: Mapping[str, dict[str, Any]], received: Mapping[str, int], start: str, end: str
) -> list[dict[str, Any]]:
    """The contracts (terms by number) running from ``start`` to before ``end``, each with what
    it was due in that time, received (``received``: income credited naming its number) and
    owes, by signing date and number (pure: the report of the sealed events uses it too)."""
    rows = []
    for number, terms in contracts.items():
        if terms["signed_on"] >= end or terms["term_start"] >= end or terms["term_end"] < start:
            continue
        months = months_within(terms["term_start"], terms["term_end"], start, end)
        due = (terms.get("annual_rent_fen", 0) * months * 2 + 12) // 24  # ÷ 12, half up
        got = received.get(number, 0)
        rows.append(
            contract_row(number, terms, due_fen=due, received_fen=got, arrears_fen=due - got)
        )
    rows.sort(key=lambda row: (row["signed_on"], row["number"]))
    return rows


def pooled_special(c: Connection, village_id: str, start: str, end: str) -> list[dict[str, Any]]:
    year = int(start[:4])
    return pooled_shown(pooled_table(c, village_id, year, end), end)


def pooled_shown(projects: list[dict[str, Any]], end: str) -> list[dict[str, Any]]:
    """The 一事一议 table's rows of the projects decided before ``end``."""
    return [pooled_row(p) for p in projects if p["decided_on"] < end]


TABLES = {
    "land": land_table,
    "contract": contract_table,
    "pooled": pooled_special,
    "project": project_table,
}
