"""The periodic disclosure's categories kept beside the books (D1, §1.4): 财务计划 (the year's
plan and its execution to the quarter's end), 各类资源 (the resource register as it stood at
the quarter's end, with the contracts resources were let under) and 收益分配 (the distribution
decided in the quarter). Each row is an entry of the public disclosure log (date, number,
summary, amount) with its table's columns beside it; a person is shown by family name only."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from finance import tables as t
from finance.domain.common import yuan
from finance.domain.plan import ALLOCATIONS
from finance.domain.resource import STATUSES, TYPES
from finance.plans import plan_execution
from finance.registers import distributions, resources
from finance.resources import contract_shown, mu


def register_rows(
    c: Connection, village_id: str, quarter: str, start: str, end: str
) -> dict[str, list[dict[str, Any]]]:
    """The rows of the plan, resources and distribution categories of a quarter."""
    return {
        "plan": plan_rows(c, village_id, quarter),
        "resources": resource_rows(c, village_id, end),
        "distribution": distribution_rows(c, village_id, start, end),
    }


def plan_rows(c: Connection, village_id: str, quarter: str) -> list[dict[str, Any]]:
    plan = plan_execution(c, village_id, quarter)
    adopted_on = plan["adopted_on"] or ""
    return [
        {
            "date": adopted_on,
            "number": "",
            "summary": f"{i['name']}：年度计划 {yuan(i['planned_fen'])} 元，本期执行 "
            f"{yuan(i['executed_fen'])} 元，累计执行 {yuan(i['executed_to_date_fen'])} 元，执行率 "
            f"{i['rate_percent'] or '—'}%",
            "amount_fen": i["planned_fen"],
            **i,
        }
        for i in plan["items"]
    ]


def resource_rows(c: Connection, village_id: str, end: str) -> list[dict[str, Any]]:
    """Each resource registered before ``end`` with its status then, and the contract it was
    let under then."""
    terms = {
        r.number: json.loads(r.terms)
        for r in c.execute(select(t.contracts).where(t.contracts.c.village_id == village_id))
    }
    rows = []
    for r in c.execute(
        select(resources)
        .where(resources.c.village_id == village_id)
        .order_by(resources.c.type, resources.c.name, resources.c.id)
    ):
        then = [h for h in json.loads(r.history or "[]") if h[1] < end]
        if not then:
            continue
        status, since, number = then[-1]
        let = contract_shown(number, terms[number]) if number in terms else None
        rows.append(
            {
                "date": since,
                "number": number or "",
                "summary": f"{TYPES[r.type]}·{r.name}·{mu(r.area_centimu)} 亩·{r.location}·"
                f"{STATUSES[status]}" + (f"·{let['counterparty']}" if let else ""),
                "amount_fen": let["annual_rent_fen"] if let else 0,
                "account": "",
                "type": TYPES[r.type],
                "name": r.name,
                "area_mu": mu(r.area_centimu),
                "location": r.location,
                "status": STATUSES[status],
                "contract": let,
            }
        )
    return rows


def distribution_rows(c: Connection, village_id: str, start: str, end: str) -> list[dict[str, Any]]:
    """The allocations of a distribution decided from ``start`` to before ``end``."""
    rows = []
    for r in c.execute(select(distributions).where(distributions.c.village_id == village_id)):
        body = json.loads(r.body)
        if not start <= body["decided_on"] < end:
            continue
        members = body["members"]
        for key, name in ALLOCATIONS.items():
            extra = (
                f"：{members['persons']} 人，每人 {yuan(members['per_person_fen'])} 元"
                if key == "members_fen"
                else ""
            )
            rows.append(
                {
                    "date": body["decided_on"],
                    "number": "",
                    "summary": f"{r.year} 年收益分配·{name}{extra}",
                    "amount_fen": body["allocations"][key],
                    "account": "322",
                }
            )
    return rows
