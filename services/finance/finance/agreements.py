"""Use cases of contracts on collective property (合同, F6, F30): a contract letting, leasing or
selling the collective's resources or assets is signed under its number, citing the village
decision that approved it; the village's contracts are listed with person counterparties
masked (D8)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from shequ.actor import Actor
from shequ.commands import Choice, Count, Day, Id, Keyed, Text, keyed
from shequ.handlers import decides
from shequ.privacy import mask_name
from sqlalchemy import select

from finance import tables as t
from finance.base import FinanceBase
from finance.domain import Contract, Decision, Resource
from finance.domain.common import refuse
from finance.domain.contract import check_cited
from finance.examples import VILLAGE
from finance.ledgers import VillageQuery, village_scope
from finance.specials import at_once, contract_row

COUNTERPARTIES = {"person": "个人", "organisation": "单位"}
DECISION = "5b2d7c1e-0000-5000-8000-000000000008"


class SignContract(Keyed):
    """Sign a contract on collective property under its number (F6), citing the village
    decision on a collective-property matter whose resolution was published (F30)."""

    title = "签订集体资产资源合同"
    example = keyed(
        "contract-dongwangjia-2026-01",
        village_id=VILLAGE,
        number="DWJ-2026-01",
        name="机动地承包合同",
        counterparty="王示例",
        counterparty_kind="person",
        subject="村集体机动地12.50亩",
        amount_fen=1_500_000,
        annual_rent_fen=300_000,
        term_start="2026-05-01",
        term_end="2031-04-30",
        signed_on="2026-04-20",
        decision_id=DECISION,
    )
    village_id: Id
    number: Annotated[str, Text(30, "合同编号")]
    name: Annotated[str, Text(100, "合同名称")]
    counterparty: Annotated[str, Text(100, "对方单位或个人")]
    counterparty_kind: Annotated[str, Choice(COUNTERPARTIES, "对方类别")]
    subject: Annotated[str, Text(200, "标的")]
    amount_fen: Annotated[int, Count(0, 10**13, "合同金额（分）")]
    annual_rent_fen: Annotated[int, Count(0, 10**13, "年租金（分）")] = 0
    term_start: Day
    term_end: Day
    signed_on: Day
    decision_id: Id
    resource_id: Id | None = None
    asset_id: Id | None = None


@decides(village_scope)
def sign_contract(cmd: SignContract, actor: Actor, app: FinanceBase) -> Any:
    day = app.not_future(cmd.signed_on, "signed_on")
    cited = app.find(Decision.create_id(cmd.decision_id))
    check_cited(cited, cmd.village_id, day, "contract.decision_required", needs_property=True)
    app.ensure_new(
        Contract.create_id(cmd.village_id, cmd.number), "该合同编号", "number", "contract.exists"
    )
    subject = subject_of(cmd, app, day)
    terms = cmd.model_dump(exclude={"idempotency_key", "village_id", "number"})
    contract = Contract(
        village_id=cmd.village_id, number=cmd.number, terms=terms, actor=actor.to_dict()
    )
    # D4: its special disclosure, prepared with it
    disclosure = at_once(
        app, cmd.village_id, "contract", cmd.number, contract_row(cmd.number, terms), actor
    )
    answer = {
        "contract_id": str(contract.id),
        "number": cmd.number,
        "disclosure_id": str(disclosure.id),
    }
    if subject is not None:
        subject.let(cmd.number, day, actor.to_dict())
        return [contract, subject, disclosure], answer
    return [contract, disclosure], answer


def subject_of(cmd: SignContract, app: FinanceBase, day: str) -> Resource | None:
    """What a contract lets (F5, F6): a resource of the register, available, which it marks
    let; or a fixed asset of the village's register, held on the signing day; or neither (the
    subject in words only)."""
    if cmd.resource_id and cmd.asset_id:
        raise refuse(
            "contract.subject_unavailable",
            "合同标的只能是一项资源或一项资产",
            "a contract lets one resource or one asset",
            "asset_id",
        )
    if cmd.resource_id:
        resource = app.get(cmd.resource_id, Resource, "资源", "resource_id")
        resource.check_lettable(cmd.village_id)
        return resource
    if cmd.asset_id:
        asset = app.ledger(cmd.village_id).assets.get(cmd.asset_id)
        if asset is None or asset["acquired_on"] > day or asset.get("disposed_on") is not None:
            raise refuse(
                "contract.subject_unavailable",
                "合同标的须为本村固定资产登记簿上在册的资产",
                "the subject is a fixed asset on this village's register, held on the signing day",
                "asset_id",
            )
    return None


class ContractsQuery(VillageQuery):
    """A village's contracts on collective property, in order of signing; a person on the other
    side is shown by family name only (D8)."""

    title = "合同列表"


def contracts(cmd: ContractsQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("contracts", actor, app.village_target(cmd.village_id))
    c_ = t.contracts
    with app.read() as c:
        found = c.execute(select(c_).where(c_.c.village_id == cmd.village_id)).all()
    rows = []
    for row in found:
        terms = json.loads(row.terms)
        if terms["counterparty_kind"] == "person":
            terms["counterparty"] = mask_name(terms["counterparty"])
        rows.append({"contract_id": row.id, "number": row.number, **terms})
    rows.sort(key=lambda r: (r["signed_on"], r["number"]))
    return {"village_id": cmd.village_id, "contracts": rows}
