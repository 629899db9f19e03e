"""专项公开 (D4): special disclosures of land requisition compensation, contracts on collective
property and 一事一议 projects — one prepared by the event itself (a compensation recorded, a
contract signed, a project decided), due within ``immediate_days`` like an immediate one, and
one per topic and quarter as a table, prepared once the quarter's months are closed; each
reviewed by the 民主理财小组 and published like the others (``review_disclosure``,
``publish_disclosure``). A person on the other side of a contract is shown by family name only,
households by their number only (D8).

Each row carries the date, number, summary and amount a line of the public disclosure log
records (``finance.disclosurelog``), beside the columns of its table (§1.4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shequ.actor import Actor

from finance.base import FinanceBase
from finance.domain import Disclosure
from finance.domain.common import yuan
from finance.domain.disclosure import NOTHING, digest
from finance.resources import contract_shown, mu

TOPICS = {
    "land": "征地补偿（专项）",
    "contract": "资产资源发包租赁合同（专项）",
    "pooled": "一事一议（专项）",
    "project": "工程项目（专项）",
    "settled": "工程项目决算（专项）",
}


def special(
    app: FinanceBase,
    village_id: str,
    topic: str,
    ref: str,
    rows: list[dict[str, Any]],
    due: str,
    actor: Actor,
) -> Disclosure:
    """A special disclosure of ``topic`` (its period ``topic:ref``) with its rows and the total
    of their amounts; an empty one says 本期无此类事项."""
    content: dict[str, Any] = {
        "village": app.collective(village_id).name,
        "period": f"{topic}:{ref}",
        "section": topic,
        "title": TOPICS[topic],
        "rows": rows,
        "total_fen": sum(r["amount_fen"] for r in rows),
    }
    if not rows:
        content["note"] = NOTHING
    return Disclosure(
        village_id=village_id,
        kind="special",
        period=f"{topic}:{ref}",
        content=content,
        content_sha256=digest(content),
        due_on=due,
        prepared_on=app.today(),
        actor=actor.to_dict(),
    )


def at_once(
    app: FinanceBase, village_id: str, topic: str, ref: str, row: dict[str, Any], actor: Actor
) -> Disclosure:
    """D4: the special disclosure an event prepares itself, due ``immediate_days`` from today."""
    today = dt.date.fromisoformat(app.today())
    due = app.due((today + dt.timedelta(days=app.settings.immediate_days)).isoformat())
    return special(app, village_id, topic, ref, [row], due, actor)


def contract_row(number: str, terms: dict[str, Any], **books: int) -> dict[str, Any]:
    """A contract as the contracts table shows it (the other side masked)."""
    shown = contract_shown(number, terms)
    return {
        "date": terms["signed_on"],
        "number": number,
        "summary": f"{terms['name']}：{terms['subject']}，{shown['counterparty']}，"
        f"{terms['term_start']}至{terms['term_end']}",
        "account": "",
        "amount_fen": terms["amount_fen"],
        **shown,
        "name": terms["name"],
        "subject": terms["subject"],
        "signed_on": terms["signed_on"],
        **books,
    }


def pooled_row(p: dict[str, Any]) -> dict[str, Any]:
    """A 一事一议 project as its table shows it."""
    return {
        "date": p["decided_on"],
        "summary": f"{p['name']}：每人 {yuan(p['per_person_fen'])} 元 × {p['persons']} 人，"
        f"筹劳 {p['labour_days']} 个工日",
        "account": "231",
        "amount_fen": p["due_fen"],
        **p,
    }


def land_row(batch: str, terms: dict[str, Any]) -> dict[str, Any]:
    """A batch of land compensation as its table shows it (households by number only)."""
    return {
        "date": terms["approved_on"],
        "number": batch,
        "summary": f"征地补偿：{mu(terms['area_centimu'])} 亩，集体留存 {yuan(terms['retained_fen'])} 元，"
        f"分配到户 {terms['households']} 户",
        "account": "",
        "amount_fen": terms["total_fen"],
        "area_mu": mu(terms["area_centimu"]),
        **{k: terms[k] for k in ("area_centimu", "retained_fen", "distributed_fen", "households")},
    }
