"""Use cases of the annual plan (财务计划, F7), the distribution of the year's income (收益分配,
F8) and 一事一议 projects (F9), each citing the village decision casework published (as F29 does
for spending); the plan's execution read from the books, the income and distribution statement
(收益及收益分配表, F40) and the 一事一议 table (§1.4) with what the books say was raised and spent.

Execution and the statement count the year's movements before the carry-over (结转): lines of a
voucher that touches 本年收益 (321) are left out, so carrying the year's income and expense to
321 does not empty them."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar

from pydantic import Field
from shequ.actor import Actor
from shequ.commands import Command, Count, Day, Id, Keyed, keyed
from shequ.handlers import decides
from sqlalchemy import Connection, func, select

from finance import tables as t
from finance.base import FinanceBase
from finance.domain import Chart, chart_on
from finance.domain.common import refuse
from finance.domain.contract import Decision, check_cited
from finance.domain.disclosure import quarter_months
from finance.domain.ledger import next_month
from finance.domain.plan import ALLOCATIONS, AnnualPlan, Distribution, PooledProject
from finance.examples import VILLAGE
from finance.fields import Account, ProjectName, ProjectNumber, Quarter
from finance.ledgers import movements, village_scope
from finance.registers import distributions, plans, pooled
from finance.specials import at_once, pooled_row

DECISION = "5b2d7c1e-0000-5000-8000-000000000008"
Year = Annotated[int, Count(2000, 2100, "年度")]
CARRIED = "321"  # 本年收益: the year's income and expense are carried to it at the year's end
UNDISTRIBUTED = "322"
POOLED = "231"  # 一事一议 money raised and spent, each line naming its project  # 收益分配: the undistributed income brought forward


def cited(cmd: Any, app: FinanceBase, field: str, code: str) -> str:
    """The command's day of record (``field``), not after today, by which its village (whose
    ledger is open) published the decision it cites (``decision_id``), else refused under
    ``code``."""
    app.ledger(cmd.village_id)
    day = app.not_future(getattr(cmd, field), field)
    village_id, decision_id = cmd.village_id, cmd.decision_id
    found = app.find(Decision.create_id(decision_id))
    check_cited(found, village_id, day, code, needs_property=False)
    return day


class PlanItem(Command):
    """One item of the plan: what, on which account of the chart its execution is booked, and
    the amount planned for the year in fen."""

    name: ProjectName
    account: Account
    planned_fen: Annotated[int, Count(0, 10**13, "年度计划（分）")]


class AdoptPlan(Keyed):
    """Record a village's financial plan for a year (F7), as the members' or representatives'
    meeting adopted it: its items, each planned on a leaf account of the chart in force on the
    year's first day, citing the published decision; once per village and year."""

    title = "录入年度财务计划"
    example = keyed(
        "plan-dongwangjia-2026",
        village_id=VILLAGE,
        year=2026,
        items=[
            {"name": "机动地发包收入", "account": "501", "planned_fen": 4_800_000},
            {"name": "村级组织运转经费", "account": "513", "planned_fen": 2_000_000},
        ],
        decision_id=DECISION,
        adopted_on="2026-01-05",
    )
    village_id: Id
    year: Year
    items: Annotated[list[PlanItem], Field(min_length=1, max_length=100)]
    decision_id: Id
    adopted_on: Day


@decides(village_scope)
def adopt_plan(cmd: AdoptPlan, actor: Actor, app: FinanceBase) -> Any:
    day = cited(cmd, app, "adopted_on", "plan.decision_required")
    chart = chart_on(f"{cmd.year}-01-01")
    for i, item in enumerate(cmd.items):
        if chart is None or not chart.is_leaf(item.account):
            raise refuse(
                "plan.unknown_account",
                f"计划项目的科目 {item.account} 不是 {cmd.year} 年施行科目表中的末级科目",
                f"account {item.account} is not a leaf account of the chart in force in {cmd.year}",
                f"items.{i}.account",
            )
    app.ensure_new(
        AnnualPlan.create_id(cmd.village_id, cmd.year), "该年度财务计划", "year", "plan.exists"
    )
    plan = AnnualPlan(
        village_id=cmd.village_id,
        year=cmd.year,
        items=[i.model_dump() for i in cmd.items],
        decision_id=cmd.decision_id,
        adopted_on=day,
        actor=actor.to_dict(),
    )
    return [plan], {"plan_id": str(plan.id)}


def year_movements(c: Connection, village_id: str, start: str, end: str) -> dict[str, int]:
    """Per account, debits less credits posted from ``start`` to before ``end``, without the
    vouchers that carry the year to 本年收益 (321)."""
    ln = t.lines
    carried = select(ln.c.voucher_id).where(ln.c.village_id == village_id, ln.c.account == CARRIED)
    rows = c.execute(
        select(ln.c.account, ln.c.side, func.sum(ln.c.amount_fen))
        .where(
            ln.c.village_id == village_id,
            ln.c.posted,
            ln.c.voucher_date >= start,
            ln.c.voucher_date < end,
            ln.c.voucher_id.not_in(carried),
        )
        .group_by(ln.c.account, ln.c.side)
    ).all()
    out: dict[str, int] = {}
    for account, side, fen in rows:
        out[account] = out.get(account, 0) + (int(fen) if side == "debit" else -int(fen))
    return out


def rate(done: int, planned: int) -> str | None:
    """执行率 (%): executed / planned, two decimals, half up (§1.4); none for nothing planned."""
    if not planned:
        return None
    value = Decimal(done * 100) / Decimal(planned)
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class PlanQuery(Command):
    """The plan's execution in a quarter (财务计划, the first table of a disclosure): each item's
    annual plan, what the books show executed in the quarter and in the year to its end (on the
    item's account, in its normal direction), and the rate; with the totals."""

    title = "财务计划执行"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE, "period": "2026Q1"}
    village_id: Id
    period: Quarter


def plan(cmd: PlanQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("plan", actor, app.village_target(cmd.village_id))
    with app.read() as c:
        return plan_execution(c, cmd.village_id, cmd.period)


def executed(
    items: list[dict[str, Any]], chart: Chart, period: dict[str, int], to_date: dict[str, int]
) -> list[dict[str, Any]]:
    """Each item of a plan with what was executed on its account, in its normal direction, in
    the period and in the year to the period's end (``period``, ``to_date``: debits less
    credits per account, as ``year_movements`` gives them), and the rate (pure: the disclosure
    and the report of the sealed events both call it)."""
    out = []
    for item in items:
        account = chart.accounts.get(item["account"])
        sign = -1 if account and account.cls in ("income", "liability", "equity") else 1
        done, total = sign * period.get(item["account"], 0), sign * to_date.get(item["account"], 0)
        out.append(
            {
                **item,
                "executed_fen": done,
                "executed_to_date_fen": total,
                "rate_percent": rate(total, item["planned_fen"]),
            }
        )
    return out


def plan_execution(c: Connection, village_id: str, quarter: str) -> dict[str, Any]:
    """The plan of the quarter's year with its execution (None when no plan was adopted)."""
    year = int(quarter[:4])
    row = c.execute(
        select(plans).where(plans.c.village_id == village_id, plans.c.year == year)
    ).first()
    months = quarter_months(quarter)
    start, end = f"{months[0]}-01", f"{next_month(months[-1])}-01"
    chart = chart_on(start)
    assert chart is not None  # a plan names accounts of a chart in force
    items = executed(
        json.loads(row.items) if row else [],
        chart,
        year_movements(c, village_id, start, end),
        year_movements(c, village_id, f"{year}-01-01", end),
    )
    return {
        "village_id": village_id,
        "period": quarter,
        "adopted": row is not None,
        "adopted_on": row.adopted_on if row else None,
        "decision_id": row.decision_id if row else None,
        "items": items,
        "totals": {
            k: sum(i[k] for i in items)
            for k in ("planned_fen", "executed_fen", "executed_to_date_fen")
        },
    }


class Members(Command):
    """成员分配: how many members share, and how much each receives in fen."""

    persons: Annotated[int, Count(0, 10**7, "人数")]
    per_person_fen: Annotated[int, Count(0, 10**9, "每人（分）")]


class DecideDistribution(Keyed):
    """Record how a village distributes a year's income (收益分配方案, F8), as its members'
    assembly approved it (the published decision cited): the distributable income and its
    allocations — 提取公积公益金, 提取福利费, 外来投资分利, 成员分配 (persons × per person), 其他 —
    which add up to it exactly; once per village and year."""

    title = "录入收益分配方案"
    example = keyed(
        "distribution-dongwangjia-2026",
        village_id=VILLAGE,
        year=2026,
        distributable_fen=10_000_000,
        reserve_fen=3_000_000,
        welfare_fen=1_000_000,
        investors_fen=0,
        members={"persons": 500, "per_person_fen": 12_000},
        other_fen=0,
        decision_id=DECISION,
        decided_on="2026-12-28",
    )
    village_id: Id
    year: Year
    distributable_fen: Annotated[int, Count(0, 10**13, "可分配收益（分）")]
    reserve_fen: Annotated[int, Count(0, 10**13, "提取公积公益金（分）")] = 0
    welfare_fen: Annotated[int, Count(0, 10**13, "提取福利费（分）")] = 0
    investors_fen: Annotated[int, Count(0, 10**13, "外来投资分利（分）")] = 0
    members: Members = Field(default_factory=lambda: Members(persons=0, per_person_fen=0))
    other_fen: Annotated[int, Count(0, 10**13, "其他（分）")] = 0
    decision_id: Id
    decided_on: Day


@decides(village_scope)
def decide_distribution(cmd: DecideDistribution, actor: Actor, app: FinanceBase) -> Any:
    day = cited(cmd, app, "decided_on", "distribution.decision_required")
    allocations = {
        "reserve_fen": cmd.reserve_fen,
        "welfare_fen": cmd.welfare_fen,
        "investors_fen": cmd.investors_fen,
        "members_fen": cmd.members.persons * cmd.members.per_person_fen,
        "other_fen": cmd.other_fen,
    }
    Distribution.check(cmd.distributable_fen, allocations)
    app.ensure_new(
        Distribution.create_id(cmd.village_id, cmd.year),
        "该年度收益分配方案",
        "year",
        "distribution.exists",
    )
    decided = Distribution(
        village_id=cmd.village_id,
        year=cmd.year,
        distributable_fen=cmd.distributable_fen,
        allocations=allocations,
        members=cmd.members.model_dump(),
        decision_id=cmd.decision_id,
        decided_on=day,
        actor=actor.to_dict(),
    )
    return [decided], {
        "distribution_id": str(decided.id),
        "members_fen": allocations["members_fen"],
    }


class IncomeDistributionQuery(Command):
    """收益及收益分配表 of a year (F40): the year's income and expense by account (before the
    carry-over) and the year's result (本年收益); the undistributed income brought forward
    (年初未分配收益, 322); the distributable income; the allocations of the year's distribution
    (F8) and what is left undistributed at the year's end. Checked: the distribution's
    distributable income equals the books', and its allocations equal what the books debited
    to 收益分配 (322) in the year."""

    title = "收益及收益分配表"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE, "year": 2026}
    village_id: Id
    year: Year


def income_distribution(
    cmd: IncomeDistributionQuery, actor: Actor, app: FinanceBase
) -> dict[str, Any]:
    app.policy.check("income_distribution", actor, app.village_target(cmd.village_id))
    start, end = f"{cmd.year}-01-01", f"{cmd.year + 1}-01-01"
    chart = chart_on(start)
    assert chart is not None
    with app.read() as c:
        moved = year_movements(c, cmd.village_id, start, end)
        before = movements(c, cmd.village_id, start, start)[0]
        found = c.execute(
            select(distributions).where(
                distributions.c.village_id == cmd.village_id, distributions.c.year == cmd.year
            )
        ).first()
        booked = booked_to_undistributed(c, cmd.village_id, start, end)

    def section(cls: str, sign: int) -> dict[str, Any]:
        rows = [
            {"account": a, "name": chart.accounts[a].name, "amount_fen": sign * fen}
            for a, fen in sorted(moved.items())
            if fen and a in chart.accounts and chart.accounts[a].cls == cls
        ]
        return {"rows": rows, "total_fen": sum(r["amount_fen"] for r in rows)}

    income, expense = section("income", -1), section("expense", 1)
    result = income["total_fen"] - expense["total_fen"]
    brought = -before.get(UNDISTRIBUTED, 0)  # a credit balance is income not yet distributed
    distributable = result + brought
    body = json.loads(found.body) if found else None
    shares: dict[str, int] = body["allocations"] if body else {}
    allocations = [
        {"key": k, "name": name, "amount_fen": shares.get(k, 0)} for k, name in ALLOCATIONS.items()
    ]
    allocated = sum(shares.values())
    return {
        "village_id": cmd.village_id,
        "year": cmd.year,
        "income": income,
        "expense": expense,
        "result_fen": result,
        "brought_forward_fen": brought,
        "distributable_fen": distributable,
        "distribution": None
        if body is None
        else {
            "decision_id": body["decision_id"],
            "decided_on": body["decided_on"],
            "distributable_fen": body["distributable_fen"],
            "members": body["members"],
        },
        "allocations": allocations,
        "allocated_fen": allocated,
        "undistributed_fen": distributable - allocated,
        "booked_allocations_fen": booked,
        "checks": {
            "distribution_agrees": body is None or body["distributable_fen"] == distributable,
            "books_agree": body is None or booked == allocated,
        },
    }


def booked_to_undistributed(c: Connection, village_id: str, start: str, end: str) -> int:
    """What the books debited to 收益分配 (322) in the year: the allocations booked."""
    ln = t.lines
    total = c.execute(
        select(func.coalesce(func.sum(ln.c.amount_fen), 0)).where(
            ln.c.village_id == village_id,
            ln.c.posted,
            ln.c.account == UNDISTRIBUTED,
            ln.c.side == "debit",
            ln.c.voucher_date >= start,
            ln.c.voucher_date < end,
        )
    ).scalar()
    return int(total or 0)


class RecordPooledProject(Keyed):
    """Record a 一事一议 project (筹资筹劳, F9) the villagers' meeting decided (the published
    decision cited): its number (vouchers name it in a line's ``contract_no``), what it builds,
    the money raised per person from how many persons, the labour days per labourer from how
    many labourers; the village's projects of a year stay within the caps per person
    (``pooled_cap_fen``) and per labourer (``pooled_labour_days``). Its special disclosure is
    prepared at once (D4)."""

    title = "录入一事一议项目"
    example = keyed(
        "pooled-dongwangjia-2026-01",
        village_id=VILLAGE,
        number="YSYY-2026-01",
        name="村内道路硬化",
        per_person_fen=1_500,
        persons=820,
        labour_days_per_labourer=5,
        labourers=300,
        decision_id=DECISION,
        decided_on="2026-03-10",
    )
    village_id: Id
    number: ProjectNumber
    name: ProjectName
    per_person_fen: Annotated[int, Count(0, 10**7, "筹资标准（分/人）")]
    persons: Annotated[int, Count(0, 10**7, "筹资人数")]
    labour_days_per_labourer: Annotated[int, Count(0, 365, "每个劳动力筹劳工日")] = 0
    labourers: Annotated[int, Count(0, 10**7, "筹劳人数")] = 0
    decision_id: Id
    decided_on: Day


def pooled_this_year(c: Connection, village_id: str, year: int) -> tuple[int, int]:
    """What the village's 一事一议 projects of ``year`` raise per person and ask per labourer."""
    fen = days = 0
    for row in c.execute(
        select(pooled.c.project).where(pooled.c.village_id == village_id, pooled.c.year == year)
    ):
        project = json.loads(row.project)
        fen += project["per_person_fen"]
        days += project["labour_days_per_labourer"]
    return fen, days


@decides(village_scope)
def record_pooled_project(cmd: RecordPooledProject, actor: Actor, app: FinanceBase) -> Any:
    day = cited(cmd, app, "decided_on", "pooled.decision_required")
    app.ensure_new(
        PooledProject.create_id(cmd.village_id, cmd.number),
        "该一事一议项目",
        "number",
        "pooled.exists",
    )
    year = int(day[:4])
    with app.read() as c:
        before = pooled_this_year(c, cmd.village_id, year)
    settings = app.settings
    PooledProject.check_caps(
        year,
        cmd.per_person_fen,
        cmd.labour_days_per_labourer,
        before,
        (settings.pooled_cap_fen, settings.pooled_labour_days),
    )
    project = cmd.model_dump(exclude={"idempotency_key", "village_id", "number", "decision_id"})
    recorded = PooledProject(
        village_id=cmd.village_id,
        number=cmd.number,
        project=project,
        decision_id=cmd.decision_id,
        decided_on=day,
        actor=actor.to_dict(),
    )
    row = project_row(cmd.number, day, cmd.decision_id, project)
    disclosure = at_once(app, cmd.village_id, "pooled", cmd.number, pooled_row(row), actor)
    return [recorded, disclosure], {
        "pooled_id": str(recorded.id),
        "number": cmd.number,
        "disclosure_id": str(disclosure.id),
    }


class PooledProjectsQuery(Command):
    """A village's 一事一议 projects of a year (the 一事一议 table, §1.4): each project's number,
    name, decision day, standard per person, persons, the money to raise (应筹 = standard ×
    persons), what the books show raised (credits to 一事一议资金 231 naming its number) and spent
    (debits to 231 naming it), the balance, and the labour days asked; with the totals."""

    title = "一事一议项目"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE, "year": 2026}
    village_id: Id
    year: Year


def pooled_projects(cmd: PooledProjectsQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("pooled_projects", actor, app.village_target(cmd.village_id))
    with app.read() as c:
        rows = pooled_table(c, cmd.village_id, cmd.year, f"{cmd.year + 1}-01-01")
    keys = ("due_fen", "raised_fen", "spent_fen", "balance_fen", "labour_days")
    return {
        "village_id": cmd.village_id,
        "year": cmd.year,
        "projects": rows,
        "totals": {k: sum(r[k] for r in rows) for k in keys},
    }


def project_row(
    number: str,
    decided_on: str,
    decision_id: str,
    p: dict[str, Any],
    raised: int = 0,
    spent: int = 0,
) -> dict[str, Any]:
    """One row of the 一事一议 table: the project and what the books show raised and spent."""
    return {
        "number": number,
        "name": p["name"],
        "decided_on": decided_on,
        "decision_id": decision_id,
        "per_person_fen": p["per_person_fen"],
        "persons": p["persons"],
        "due_fen": p["per_person_fen"] * p["persons"],
        "raised_fen": raised,
        "spent_fen": spent,
        "balance_fen": raised - spent,
        "labour_days": p["labour_days_per_labourer"] * p["labourers"],
    }


def posted_sums(c: Connection, key: Any, *where: Any) -> dict[str, int]:
    """The posted lines' fen (red negative) summed per value of ``key``, over ``where``."""
    ln = t.lines
    found = c.execute(
        select(key, func.sum(ln.c.amount_fen)).where(ln.c.posted, *where).group_by(key)
    )
    return {k: int(fen) for k, fen in found}


def pooled_table(c: Connection, village_id: str, year: int, end: str) -> list[dict[str, Any]]:
    """The 一事一议 rows of ``year``'s projects, with the books up to before ``end``."""
    found = c.execute(
        select(pooled)
        .where(pooled.c.village_id == village_id, pooled.c.year == year)
        .order_by(pooled.c.decided_on, pooled.c.number)
    ).all()
    moved = {
        row.number: posted_sums(
            c,
            t.lines.c.side,
            t.lines.c.village_id == village_id,
            t.lines.c.account == POOLED,
            t.lines.c.contract_no == row.number,
            t.lines.c.voucher_date < end,
        )
        for row in found
    }
    decided = [
        {
            "number": r.number,
            "decided_on": r.decided_on,
            "decision_id": r.decision_id,
            "project": json.loads(r.project),
        }
        for r in found
    ]
    return pooled_rows(decided, moved)


def pooled_rows(
    decided: list[dict[str, Any]], moved: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    """The 一事一议 rows of the projects ``decided`` (number, decided_on, decision_id, project),
    by date and number, with what was raised and spent (``moved``: each project's posted fen on
    231 naming it, per side) (pure: the report of the sealed events uses it too)."""
    rows = []
    for p in sorted(decided, key=lambda p: (p["decided_on"], p["number"])):
        sides = moved.get(p["number"], {})
        raised, spent = sides.get("credit", 0), sides.get("debit", 0)
        rows.append(
            project_row(p["number"], p["decided_on"], p["decision_id"], p["project"], raised, spent)
        )
    return rows
