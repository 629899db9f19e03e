"""Use cases of village construction projects (工程项目, D4): registered with their budget, how
the builder was chosen, the builder and the contract price, citing the village decision that
approved them; settled with the final account (决算). Each event prepares its special
disclosure at once (``project:NUMBER``, ``settled:NUMBER``); the quarter's table is
``prepare_special`` with the topic ``project``. What was paid is read from the books: debits to
在建工程 (153 in the 2023 chart, 154 in the 2004 one) on lines naming the project's number."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from shequ.actor import Actor
from shequ.commands import Choice, Count, Day, Id, Keyed, Text, keyed
from shequ.handlers import decides
from shequ.privacy import mask_name
from sqlalchemy import Connection, select

from finance import tables as t
from finance.base import FinanceBase
from finance.domain import chart_on
from finance.domain.common import yuan
from finance.domain.contract import Decision, check_cited
from finance.domain.project import TENDERS, Project
from finance.examples import VILLAGE
from finance.fields import ProjectName, ProjectNumber
from finance.ledgers import village_scope
from finance.plans import posted_sums
from finance.registers import projects as p_table
from finance.specials import at_once

DECISION = "5b2d7c1e-0000-5000-8000-000000000008"
BUILDERS = {"organisation": "单位", "person": "个人"}


class RegisterProject(Keyed):
    """Register a village construction project (工程项目) the village decided (the published
    decision cited): its number (vouchers paying it name it in a line's ``contract_no``), name,
    budget, tender method, builder and contract price. Its special disclosure is prepared at
    once (D4)."""

    title = "登记工程项目"
    example = keyed(
        "project-dongwangjia-road-2026",
        village_id=VILLAGE,
        number="GC-2026-01",
        name="村内主干道硬化",
        budget_fen=30_000_000,
        tender="invited",
        builder="县交通建设有限公司",
        builder_kind="organisation",
        contract_price_fen=28_600_000,
        decision_id=DECISION,
        decided_on="2026-03-10",
    )
    village_id: Id
    number: ProjectNumber
    name: ProjectName
    budget_fen: Annotated[int, Count(0, 10**13, "预算（分）")]
    tender: Annotated[str, Choice(TENDERS, "招标方式")]
    builder: Annotated[str, Text(100, "中标单位")]
    builder_kind: Annotated[str, Choice(BUILDERS, "中标方类别")] = "organisation"
    contract_price_fen: Annotated[int, Count(0, 10**13, "合同价（分）")]
    decision_id: Id
    decided_on: Day


@decides(village_scope)
def register_project(cmd: RegisterProject, actor: Actor, app: FinanceBase) -> Any:
    app.ledger(cmd.village_id)
    day = app.not_future(cmd.decided_on, "decided_on")
    cited = app.find(Decision.create_id(cmd.decision_id))
    check_cited(cited, cmd.village_id, day, "project.decision_required", needs_property=False)
    app.ensure_new(
        Project.create_id(cmd.village_id, cmd.number), "该工程项目", "number", "project.exists"
    )
    terms = cmd.model_dump(exclude={"idempotency_key", "village_id", "number"})
    project = Project(
        village_id=cmd.village_id, number=cmd.number, terms=terms, actor=actor.to_dict()
    )
    row = project_row(cmd.number, terms, None, None, 0)
    disclosure = at_once(app, cmd.village_id, "project", cmd.number, row, actor)
    return [project, disclosure], {
        "project_id": str(project.id),
        "disclosure_id": str(disclosure.id),
    }


class SettleProject(Keyed):
    """Record a project's final account (决算), once; its special disclosure, with what the
    books show paid by then, is prepared at once (D4)."""

    title = "工程决算"
    example = keyed(
        "project-road-2026-settled",
        village_id=VILLAGE,
        number="GC-2026-01",
        final_fen=28_950_000,
        settled_on="2026-11-30",
    )
    village_id: Id
    number: ProjectNumber
    final_fen: Annotated[int, Count(0, 10**13, "决算（分）")]
    settled_on: Day


@decides(village_scope)
def settle_project(cmd: SettleProject, actor: Actor, app: FinanceBase) -> Any:
    project = app.get(Project.create_id(cmd.village_id, cmd.number), Project, "工程项目", "number")
    day = app.not_future(cmd.settled_on, "settled_on")
    project.settle(cmd.final_fen, day, actor.to_dict())
    with app.read() as c:
        after = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
        paid = paid_to(c, cmd.village_id, [cmd.number], after).get(cmd.number, 0)
    row = project_row(cmd.number, project.terms, cmd.final_fen, day, paid)
    disclosure = at_once(app, cmd.village_id, "settled", cmd.number, row, actor)
    return [project, disclosure], {
        "project_id": str(project.id),
        "paid_fen": paid,
        "disclosure_id": str(disclosure.id),
    }


def works_accounts() -> list[str]:
    """The codes of 在建工程 in either chart: a project's payments are debited to it."""
    return sorted(
        {
            code
            for chart_day in ("2023-12-31", "2024-01-01")
            if (chart := chart_on(chart_day)) is not None
            for code, account in chart.accounts.items()
            if account.name == "在建工程"
        }
    )


def paid_to(c: Connection, village_id: str, numbers: list[str], end: str) -> dict[str, int]:
    """Per project number, the debits to 在建工程 naming it dated before ``end``."""
    ln = t.lines
    return posted_sums(
        c,
        ln.c.contract_no,
        ln.c.village_id == village_id,
        ln.c.side == "debit",
        ln.c.account.in_(works_accounts()),
        ln.c.contract_no.in_(numbers),
        ln.c.voucher_date < end,
    )


def project_row(
    number: str, terms: dict[str, Any], final: int | None, settled_on: str | None, paid: int
) -> dict[str, Any]:
    """A project as the 工程项目 table shows it (a person building it by family name only):
    差额 is the final account less the contract price, once settled."""
    builder = terms["builder"]
    shown = mask_name(builder) if terms.get("builder_kind") == "person" else builder
    return {
        "date": settled_on or terms["decided_on"],
        "number": number,
        "summary": f"{terms['name']}：{TENDERS[terms['tender']]}，{shown}，合同价 "
        f"{yuan(terms['contract_price_fen'])} 元"
        + (f"，决算 {yuan(final)} 元" if final is not None else ""),
        "account": "",
        "amount_fen": final if final is not None else terms["contract_price_fen"],
        "name": terms["name"],
        "budget_fen": terms["budget_fen"],
        "tender": TENDERS[terms["tender"]],
        "builder": shown,
        "contract_price_fen": terms["contract_price_fen"],
        "paid_fen": paid,
        "final_fen": final,
        "difference_fen": None if final is None else final - terms["contract_price_fen"],
    }


def project_table(c: Connection, village_id: str, start: str, end: str) -> list[dict[str, Any]]:
    """The quarter's projects: registered by its end and not settled before its start, with
    what was paid by its end."""
    found = [
        {"number": r.number, "terms": json.loads(r.terms)}
        | ({"final_fen": r.final_fen, "settled_on": r.settled_on} if r.settled_on else {})
        for r in c.execute(
            select(p_table).where(p_table.c.village_id == village_id, p_table.c.decided_on < end)
        ).all()
    ]
    paid = paid_to(c, village_id, [p["number"] for p in found], end)
    return project_rows(found, paid, start, end)


def project_rows(
    registered: list[dict[str, Any]], paid: dict[str, int], start: str, end: str
) -> list[dict[str, Any]]:
    """The projects (``number``, ``terms``, once settled ``final_fen`` and ``settled_on``)
    decided before ``end`` and not settled before ``start``, by date and number, with what was
    paid (``paid``, by number) and, settled before ``end``, the final account (pure: the report
    of the sealed events uses it too)."""
    rows = []
    for p in sorted(registered, key=lambda p: (p["terms"]["decided_on"], p["number"])):
        settled_on = p.get("settled_on")
        if p["terms"]["decided_on"] >= end or (settled_on is not None and settled_on < start):
            continue
        settled = settled_on is not None and settled_on < end
        rows.append(
            project_row(
                p["number"],
                p["terms"],
                p["final_fen"] if settled else None,
                settled_on if settled else None,
                paid.get(p["number"], 0),
            )
        )
    return rows
