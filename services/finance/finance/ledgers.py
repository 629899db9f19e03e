"""Use cases of a village's ledger (账套): opened on a chart with balanced opening balances,
months closed in order, and the trial balance (科目余额表) of a month from its posted lines.

The rules (F1 opening balances, F25 numbers, F26 closed months) live in
``finance.domain.ledger``."""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar

from pydantic import Field
from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Command, Count, Day, Id, Keyed, Note, Text, keyed
from shequ.errors import ValidationError
from shequ.handlers import changes, decides
from sqlalchemy import Connection, case, func, select

from finance import tables as t
from finance.balances import starting_point
from finance.base import FinanceBase
from finance.domain import Ledger, chart_on
from finance.domain.carryover import carried, carry_over_table
from finance.domain.common import key_id, refuse, yuan
from finance.domain.ledger import CASH, FIXED_ASSETS, next_month
from finance.domain.party import Counterparty
from finance.examples import MONTH, VILLAGE
from finance.fields import Account, Period
from finance.subledgers import check_reconciled, subledgers


def village_scope(cmd: Any, app: FinanceBase) -> Any:
    return app.village_target(cmd.village_id)


# a use case that changes the village's ledger (the command names the village)
changes_ledger = changes(lambda cmd, app: app.ledger(cmd.village_id), village_scope)


def villages_read(
    use_case: str, actor: Actor, app: FinanceBase, village_id: str | None
) -> list[str] | None:
    """The villages a list query reads: the one named (checked against the asker's scope), or
    without one the asker's own village, or ``None`` (every village) for a role over all;
    anyone else must name a village."""
    village_id = village_id or actor.village_id
    if village_id:
        app.policy.check(use_case, actor, app.village_target(village_id))
        return [village_id]
    app.policy.check(use_case, actor, Target())
    return None


class AssetRecord(Command):
    """A fixed asset (固定资产) on the register: what, how many, its original value in fen, when
    acquired, where it is kept (a place, free text: 村委会办公楼) and who uses it (a person, by
    their registry person id, registered as a counterparty of the village's books: shown by
    family name only, RULES §6)."""

    name: Annotated[str, Text(100, "资产名称")]
    quantity: Annotated[int, Count(1, 1_000_000, "数量")] = 1
    unit: Annotated[str, Text(10, "单位")] = "项"
    original_fen: Annotated[int, Count(0, 10**13, "原值（分）")]
    acquired_on: Day
    location: Annotated[str, Note(100, "存放地点")] = ""
    user_id: Id | None = None


class OpenLedger(Keyed):
    """Open the books of a village collective on the chart in force on the opening date, with
    opening balances that balance (account -> fen, debit positive, credit negative)."""

    title = "建账"
    example = keyed(
        "ledger-dongwangjia",
        village_id=VILLAGE,
        opened_on="2026-01-01",
        opening={"102": 12_500_000, "151": 30_000_000, "301": -42_500_000},
        assets=[
            {
                "name": "村委会办公楼",
                "unit": "栋",
                "original_fen": 30_000_000,
                "acquired_on": "2012-06-30",
                "location": "村委会",
            }
        ],
    )
    village_id: Id
    opened_on: Day
    opening: Annotated[dict[str, int], Field(max_length=200)] = Field(default_factory=dict)
    assets: Annotated[list[AssetRecord], Field(max_length=5000)] = Field(default_factory=list)


@decides(village_scope)
def open_ledger(cmd: OpenLedger, actor: Actor, app: FinanceBase) -> Any:
    assets = {
        str(key_id("asset", f"{cmd.idempotency_key}:{i}")): a.model_dump()
        for i, a in enumerate(cmd.assets)
    }
    Ledger.check_opening(cmd.opened_on, cmd.opening, assets)
    for i, a in enumerate(cmd.assets):
        user_of(app, cmd.village_id, a.user_id, f"assets.{i}.user_id")
    app.ensure_new(Ledger.create_id(cmd.village_id), "该村账套", "village_id", "ledger.exists")
    ledger = Ledger(
        village_id=cmd.village_id,
        opened_on=cmd.opened_on,
        opening={k: v for k, v in cmd.opening.items() if v},
        assets=assets,
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


@changes_ledger
def close_period(
    cmd: ClosePeriod, actor: Actor, app: FinanceBase, ledger: Ledger
) -> dict[str, Any]:
    after = f"{next_month(cmd.period)}-01"
    with app.read() as c:
        books = movements(c, cmd.village_id, after, after)[0].get(FIXED_ASSETS, 0)
    ledger.close_period(cmd.period, app.today(), books, actor.to_dict())
    with app.read() as c:
        check_reconciled(c, cmd.village_id, after)  # F31: the counterparties' subledgers
    return {"period": cmd.period, "next": next_month(cmd.period)}


class CarryOverChart(Keyed):
    """Carry a ledger kept on the 2004 chart over to the 2023 chart (新旧衔接, 财会〔2023〕20号):
    its closing balances at 2023-12-31 become opening balances on 2024-01-01 by the
    correspondence table; ``splits`` divides a balance the table splits (old account ->
    new account -> fen, debit positive, adding up to the balance)."""

    title = "新旧会计制度衔接（科目余额结转）"
    example = keyed(
        "carryover-dongwangjia-2024",
        village_id=VILLAGE,
        splits={"131": {"131": 300_000, "132": 500_000}},
    )
    village_id: Id
    splits: Annotated[dict[str, dict[str, int]], Field(max_length=50)] = Field(default_factory=dict)


@changes_ledger
def carry_over_chart(
    cmd: CarryOverChart, actor: Actor, app: FinanceBase, ledger: Ledger
) -> dict[str, Any]:
    """The closing balances at 2023-12-31 (old codes) carried to the 2023 chart's accounts:
    refused while a month of 2023 is open, when a balance has no new account, or once done."""
    table = carry_over_table()
    with app.read() as c:
        before = movements(c, cmd.village_id, table.on, table.on)[0]
    closing = {a: fen for a, fen in sorted(before.items()) if fen}
    ledger.check_carry_over()
    opening = carried(closing, cmd.splits, table)
    ledger.carry_over(closing, opening, actor.to_dict())
    return {"on": table.on, "chart": table.target_chart, "closing": closing, "opening": opening}


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


class LedgersQuery(Command):
    """The villages whose books the asker may read, by name: each village finance knows (the
    registry told it), its community, and its ledger's opening date and closed months if
    opened. A village role sees its village, community staff their community's villages."""

    title = "账套列表"
    example: ClassVar[dict[str, Any]] = {}


def ledgers(cmd: LedgersQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    scope = app.policy.check_role("ledgers", actor)
    c, lg = t.collectives, t.ledgers
    query = select(c.c.id, c.c.name, c.c.community_id, lg.c.opened_on, lg.c.closed).outerjoin(
        lg, lg.c.village_id == c.c.id
    )
    if scope == "village":
        query = query.where(c.c.id == actor.village_id)
    elif scope == "community":
        query = query.where(c.c.community_id == actor.community_id)
    with app.read() as conn:
        rows = conn.execute(query.order_by(c.c.name, c.c.id)).all()
    shown = [
        {
            "village_id": r.id,
            "name": r.name,
            "community_id": r.community_id,
            "opened_on": r.opened_on,
            "closed": json.loads(r.closed) if r.closed else [],
        }
        for r in rows
    ]
    return {"villages": shown}


class VillageQuery(Command):
    """A query of one village's registers."""

    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE}
    village_id: Id


class MonthQuery(Command):
    """A query of one month of a village's books."""

    example: ClassVar[dict[str, Any]] = MONTH
    village_id: Id
    period: Period


class TrialBalanceQuery(MonthQuery):
    """The trial balance (科目余额表) of one month: per account the opening balance, the debits
    and credits posted in the month and the closing balance; every column totals and balances."""

    title = "科目余额表"


def movements(
    c: Connection, village_id: str, start: str, end: str
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Per account: the balance before ``start`` (the opening balances — the carried ones from
    the carry-over to the 2023 chart on — and every posted line dated earlier since; debit
    positive), and the debits and credits posted from ``start`` to before ``end``. Red lines
    count negative."""
    ln = t.lines
    opening, first = starting_point(c, village_id, start)
    moved = c.execute(
        select(
            ln.c.account,
            ln.c.side,
            (ln.c.voucher_date < start).label("before"),
            func.sum(ln.c.amount_fen),
        )
        .where(
            ln.c.village_id == village_id,
            ln.c.posted,
            ln.c.voucher_date >= first,
            ln.c.voucher_date < end,
        )
        .group_by(ln.c.account, ln.c.side, "before")
    ).all()
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
        "warnings": cash_warnings(
            opening.get(CASH, 0) + debit.get(CASH, 0) - credit.get(CASH, 0),
            app.settings.cash_limit_fen,
        ),
    }


def cash_warnings(cash_fen: int, limit_fen: int) -> list[dict[str, Any]]:
    """F32 [local]: cash on hand (库存现金, 101 in both charts) at the month's end over the
    limit (``cash_limit_fen``, 村账镇管 practice: 5,000.00 yuan) is reported, never refused —
    a warning row with the amount over the limit; no warning at or under it."""
    over = cash_fen - limit_fen
    if over <= 0:
        return []
    return [
        {
            "code": "cash.over_limit",
            "account": CASH,
            "closing_fen": cash_fen,
            "limit_fen": limit_fen,
            "over_fen": over,
            "zh": f"库存现金期末余额 {yuan(cash_fen)} 元，超过限额 {yuan(limit_fen)} 元 "
            f"{yuan(over)} 元，应及时存入银行",
            "en": f"cash on hand at the month's end is {yuan(cash_fen)} yuan, "
            f"{yuan(over)} yuan over the limit of {yuan(limit_fen)} yuan: bank it",
        }
    ]


class JournalQuery(Command):
    """The journal of one account over a month (日记账/明细账): every posted line in date and
    number order with its running balance from the month's opening balance — for 101 the cash
    journal (现金日记账), for 102 the bank journal (银行存款日记账); optionally one
    counterparty's lines only (往来明细账)."""

    title = "日记账与明细账"
    example: ClassVar[dict[str, Any]] = {**MONTH, "account": "102"}
    village_id: Id
    account: Account
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
        opening, first = starting_point(c, cmd.village_id, start)
        before = c.execute(
            select(func.coalesce(func.sum(debit_positive), 0)).where(
                *where, ln.c.voucher_date >= first, ln.c.voucher_date < start
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
        # a counterparty's ledger (往来明细账) starts from its subledger: its own opening
        # balances and the lines naming it before the month (F3)
        party = subledgers(c, cmd.village_id, start, start) if cmd.counterparty_id else {}
    if cmd.counterparty_id:
        balance = party.get((cmd.counterparty_id, cmd.account), [0])[0]
    else:
        balance = opening.get(cmd.account, 0) + int(before or 0)
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


class RegisterAsset(AssetRecord, Keyed):
    """Enter a fixed asset on the village's register (F4), naming the posted voucher that
    booked it to 固定资产; the register must agree with the books when the month closes (F31)."""

    title = "登记固定资产"
    example = keyed(
        "asset-dongwangjia-pump",
        village_id=VILLAGE,
        voucher_id="5b2d7c1e-0000-5000-8000-000000000031",
        name="灌溉水泵",
        unit="台",
        original_fen=1_800_000,
        acquired_on="2026-01-15",
        location="东王家村机井房",
    )
    village_id: Id
    voucher_id: Id


def posted_voucher_of(app: FinanceBase, village_id: str, voucher_id: str) -> None:
    """The voucher an asset change names: posted, in the same village's books."""
    voucher = app.voucher(voucher_id)
    if voucher.village_id != village_id or voucher.status != "posted":
        raise ValidationError(
            "须引用本村已记账的凭证",
            "name a posted voucher of the same village",
            "voucher_id",
            rule="asset.voucher",
        )


@changes_ledger
def register_asset(
    cmd: RegisterAsset, actor: Actor, app: FinanceBase, ledger: Ledger
) -> dict[str, Any]:
    posted_voucher_of(app, cmd.village_id, cmd.voucher_id)
    user_of(app, cmd.village_id, cmd.user_id, "user_id")
    asset_id = str(key_id("asset", cmd.idempotency_key))
    record = cmd.model_dump(exclude={"idempotency_key", "village_id"})
    ledger.register_asset(asset_id, record, actor.to_dict())
    return {"asset_id": asset_id}


class DisposeAsset(Keyed):
    """Take a fixed asset off the register (sold, scrapped), naming the posted voucher."""

    title = "处置固定资产"
    example = keyed(
        "asset-pump-disposal",
        village_id=VILLAGE,
        asset_id="5b2d7c1e-0000-5000-8000-000000000061",
        disposed_on="2026-03-20",
        voucher_id="5b2d7c1e-0000-5000-8000-000000000031",
    )
    village_id: Id
    asset_id: Id
    disposed_on: Day
    voucher_id: Id


@changes_ledger
def dispose_asset(
    cmd: DisposeAsset, actor: Actor, app: FinanceBase, ledger: Ledger
) -> dict[str, Any]:
    posted_voucher_of(app, cmd.village_id, cmd.voucher_id)
    ledger.dispose_asset(cmd.asset_id, cmd.disposed_on, cmd.voucher_id, actor.to_dict())
    return {"asset_id": cmd.asset_id, "disposed_on": cmd.disposed_on}


class TransferAsset(Keyed):
    """Move a fixed asset on the register to another place or user (存放地点或使用人), from a
    date (F4): the register, the disclosure's asset table from that month on and the event
    (with who recorded it) carry the move; the books do not change."""

    title = "固定资产转移"
    example = keyed(
        "asset-pump-to-well-2",
        village_id=VILLAGE,
        asset_id="5b2d7c1e-0000-5000-8000-000000000061",
        transferred_on="2026-02-03",
        location="二号机井房",
    )
    village_id: Id
    asset_id: Id
    transferred_on: Day
    location: Annotated[str, Note(100, "存放地点")] = ""
    user_id: Id | None = None


@changes_ledger
def transfer_asset(
    cmd: TransferAsset, actor: Actor, app: FinanceBase, ledger: Ledger
) -> dict[str, Any]:
    day = app.not_future(cmd.transferred_on, "transferred_on")
    if not cmd.location and cmd.user_id is None:
        raise refuse(
            "asset.whereabouts",
            "须填写存放地点或使用人",
            "give the place the asset is kept at, or its user",
            "location",
        )
    user_of(app, cmd.village_id, cmd.user_id, "user_id")
    ledger.transfer_asset(cmd.asset_id, day, cmd.location, cmd.user_id, actor.to_dict())
    answer = {"asset_id": cmd.asset_id, "transferred_on": day, "location": cmd.location}
    return {**answer, "user_id": cmd.user_id}


def user_of(app: FinanceBase, village_id: str, person_id: str | None, field: str) -> None:
    """An asset's user (使用人) is a person the registry knows, registered as a counterparty of
    the village's books under their registry person id (F3): the name the disclosure masks."""
    if person_id is None:
        return
    party = app.find(Counterparty.create_id(village_id, f"person:{person_id}"))
    if not isinstance(party, Counterparty) or party.kind != "person":
        raise refuse(
            "asset.unknown_user",
            "使用人须是已在本村账套登记的个人往来户（按登记的人员编号）",
            "the user must be a person registered in this village's books by their registry "
            "person id",
            field,
        )


class StatementsQuery(MonthQuery):
    """The balance sheet (资产负债表) at a month's end and the income statement (收益表) of the
    year to that month, from the posted books: assets = liabilities + equity + the year's
    result not yet carried to 本年收益; every section totals."""

    title = "资产负债表与收益表"


def statements(cmd: StatementsQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("statements", actor, app.village_target(cmd.village_id))
    after = f"{next_month(cmd.period)}-01"
    year_start = f"{cmd.period[:4]}-01-01"
    with app.read() as c:
        closing = movements(c, cmd.village_id, after, after)[0]
        _, debit, credit = movements(c, cmd.village_id, year_start, after)
    chart = chart_on(f"{cmd.period}-01")
    assert chart is not None  # a ledger is opened only on a chart in force

    def section(cls: str, sign: int, balances: dict[str, int]) -> dict[str, Any]:
        rows = [
            {"account": code, "name": chart.accounts[code].name, "amount_fen": sign * fen}
            for code, fen in sorted(balances.items())
            if fen and code in chart.accounts and chart.accounts[code].cls == cls
        ]
        return {"rows": rows, "total_fen": sum(r["amount_fen"] for r in rows)}

    year = {a: debit.get(a, 0) - credit.get(a, 0) for a in set(debit) | set(credit)}
    income, expense = section("income", -1, year), section("expense", 1, year)
    result = income["total_fen"] - expense["total_fen"]
    assets = section("asset", 1, closing)
    liabilities = section("liability", -1, closing)
    equity = section("equity", -1, closing)
    costs = section("cost", 1, closing)
    # income and expense accounts not yet carried to 本年收益 stand in the balance sheet as the
    # year's result (and 生产成本 in progress with the assets)
    unclosed = -sum(
        fen
        for a, fen in closing.items()
        if a in chart.accounts and chart.accounts[a].cls in ("income", "expense")
    )
    return {
        "village_id": cmd.village_id,
        "period": cmd.period,
        "balance_sheet": {
            "assets": assets,
            "costs": costs,
            "liabilities": liabilities,
            "equity": equity,
            "result_not_carried_fen": unclosed,
            "balanced": assets["total_fen"] + costs["total_fen"]
            == liabilities["total_fen"] + equity["total_fen"] + unclosed,
        },
        "income_statement": {"income": income, "expense": expense, "result_fen": result},
    }
