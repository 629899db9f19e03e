"""The periodic disclosure's categories kept beside the books (D1, §1.4): 各项资产 (the funds
and other asset accounts at the period's end, and the fixed-asset register as it stood then),
财务计划 (the year's
plan and its execution to the quarter's end), 各类资源 (the resource register as it stood at
the quarter's end, with the contracts resources were let under) and 收益分配 (the distribution
decided in the quarter). Each row is an entry of the public disclosure log (date, number,
summary, amount) with its table's columns beside it; a person is shown by family name only.

The rows are made by pure functions of plain records (``asset_rows``, ``plan_rows``,
``resource_rows``, ``distribution_rows``), fed here from the read model and by ``finance.report`` from the sealed
events, so the published disclosure and the auditor's report of a quarter cannot drift."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from shequ.privacy import mask_name
from sqlalchemy import Connection, select

from finance import tables as t
from finance.domain.common import yuan
from finance.domain.disclosure import PeriodFold
from finance.domain.ledger import FIXED_ASSETS, whereabouts
from finance.domain.party import CLAIMS
from finance.domain.plan import ALLOCATIONS
from finance.domain.resource import STATUSES, TYPES
from finance.plans import plan_execution
from finance.registers import distributions, resources
from finance.resources import contract_shown, mu


def register_rows(
    c: Connection, village_id: str, quarter: str, start: str, end: str
) -> dict[str, list[dict[str, Any]]]:
    """The rows of the plan, resources and distribution categories of a quarter."""
    plan = plan_execution(c, village_id, quarter)
    contracts = {
        r.number: json.loads(r.terms)
        for r in c.execute(select(t.contracts).where(t.contracts.c.village_id == village_id))
    }
    registered = [
        {
            "id": r.id,
            "type": r.type,
            "name": r.name,
            "area_centimu": r.area_centimu,
            "location": r.location,
            "history": json.loads(r.history or "[]"),
        }
        for r in c.execute(select(resources).where(resources.c.village_id == village_id))
    ]
    decided = [
        {"year": r.year, **json.loads(r.body)}
        for r in c.execute(select(distributions).where(distributions.c.village_id == village_id))
    ]
    return {
        "plan": plan_rows(plan["adopted_on"], plan["items"]),
        "resources": resource_rows(registered, contracts, end),
        "distribution": distribution_rows(decided, start, end),
    }


def asset_rows(
    books: PeriodFold,
    register: Mapping[str, dict[str, Any]],
    end: str,
    persons: Mapping[str, str],
) -> list[dict[str, Any]]:
    """各项资产 (§1.1, §1.4) at the end of the day ``end``: first each asset account with a
    balance, in code order (现金及存款 101/102, 库存物资, 生物资产, 对外投资…), but not the claims
    accounts (债权债务 shows them) nor 固定资产 (151), which is shown item by item: then every
    fixed asset held on the register (``register``: asset id -> its record with its moves), by
    acquisition date, name and id, with its place and its user then. A user is a registry
    person, shown by family name only (``persons``: person id -> name, RULES §6)."""
    claims = set(CLAIMS.get(books.chart.id, ()))
    rows = []
    for code, fen in books.balances("asset"):
        if code in claims or code == FIXED_ASSETS:
            continue
        name = books.chart.accounts[code].name if code in books.chart.accounts else code
        rows.append(
            {
                "date": end,
                "number": "",
                "summary": f"{code} {name}",
                "amount_fen": fen,
                "account": code,
                "name": f"{code} {name}",
                "quantity": 0,
                "unit": "",
                "original_fen": fen,
                "place": "",
                "user": "",
            }
        )
    held = sorted(
        (
            (asset_id, a)
            for asset_id, a in register.items()
            if a["acquired_on"] <= end and (a.get("disposed_on") or "9999") > end
        ),
        key=lambda item: (item[1]["acquired_on"], item[1]["name"], item[0]),
    )
    for _, a in held:
        place, user_id = whereabouts(a, end)
        user = mask_name(persons.get(user_id, "")) if user_id else ""
        quantity, unit = a.get("quantity", 1), a.get("unit", "")
        rows.append(
            {
                "date": a["acquired_on"],
                "number": "",
                "summary": "·".join(x for x in (a["name"], f"{quantity}{unit}", place, user) if x),
                "amount_fen": a["original_fen"],
                "account": FIXED_ASSETS,
                "name": a["name"],
                "quantity": quantity,
                "unit": unit,
                "original_fen": a["original_fen"],
                "place": place,
                "user": user,
            }
        )
    return rows


def plan_rows(adopted_on: str | None, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """财务计划: each item of the plan with its execution (``finance.plans.executed``)."""
    return [
        {
            "date": adopted_on or "",
            "number": "",
            "summary": f"{i['name']}：年度计划 {yuan(i['planned_fen'])} 元，本期执行 "
            f"{yuan(i['executed_fen'])} 元，累计执行 {yuan(i['executed_to_date_fen'])} 元，执行率 "
            f"{i['rate_percent'] or '—'}%",
            "amount_fen": i["planned_fen"],
            **i,
        }
        for i in items
    ]


def resource_rows(
    registered: Iterable[dict[str, Any]], contracts: Mapping[str, dict[str, Any]], end: str
) -> list[dict[str, Any]]:
    """各类资源: each resource registered before ``end`` with its status then, and the contract
    it was let under then, by type, name and id. ``registered``: the resources with ``id``,
    ``type``, ``name``, ``area_centimu``, ``location`` and ``history`` ([status, since,
    contract number] in order); ``contracts``: the village's contracts' terms by number."""
    rows = []
    for r in sorted(registered, key=lambda r: (r["type"], r["name"], r["id"])):
        then = [h for h in r["history"] if h[1] < end]
        if not then:
            continue
        status, since, number = then[-1]
        let = contract_shown(number, contracts[number]) if number in contracts else None
        rows.append(
            {
                "date": since,
                "number": number or "",
                "summary": f"{TYPES[r['type']]}·{r['name']}·{mu(r['area_centimu'])} 亩·"
                f"{r['location']}·{STATUSES[status]}" + (f"·{let['counterparty']}" if let else ""),
                "amount_fen": let["annual_rent_fen"] if let else 0,
                "account": "",
                "type": TYPES[r["type"]],
                "name": r["name"],
                "area_mu": mu(r["area_centimu"]),
                "location": r["location"],
                "status": STATUSES[status],
                "contract": let,
            }
        )
    return rows


def distribution_rows(
    decided: Iterable[dict[str, Any]], start: str, end: str
) -> list[dict[str, Any]]:
    """收益分配: the allocations of each distribution decided from ``start`` to before ``end``
    (``decided``: ``year``, ``decided_on``, ``allocations``, ``members``), by date and year."""
    rows = []
    for body in sorted(decided, key=lambda b: (b["decided_on"], b["year"])):
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
                    "summary": f"{body['year']} 年收益分配·{name}{extra}",
                    "amount_fen": body["allocations"][key],
                    "account": "322",
                }
            )
    return rows
