"""Use cases of counterparties (往来单位或个人, F3) and their subledgers: a counterparty is
registered once with its opening balances on the claims accounts (应收款 112, 内部往来 113,
应付款 211, 长期借款及应付款 221 in the 2023 chart); a voucher line on any account may name it;
the receivables and debts of a month are listed per counterparty (债权债务, §1.4), a person
shown by family name only (D8); and a month closes, and a quarter is disclosed, only when each
claims account's subledgers add up to its balance in the books (F31, ``period.unreconciled``
naming the account)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field
from shequ.actor import Actor
from shequ.commands import Choice, Id, Keyed, Text, keyed
from shequ.handlers import decides
from shequ.privacy import mask_name
from sqlalchemy import select

from finance.base import FinanceBase
from finance.domain.common import refuse
from finance.domain.ledger import next_month
from finance.domain.party import KINDS, Counterparty, claims_on
from finance.examples import VILLAGE
from finance.ledgers import MonthQuery, village_scope
from finance.registers import counterparties as cp_table
from finance.subledgers import reconciliation, subledgers

# the side that increases each claims account, and what it is to the village (§1.4: 类别)
GROWS = {"112": "debit", "113": "debit", "211": "credit", "202": "credit", "221": "credit"}
CATEGORY = {"112": "应收", "113": "内部往来", "211": "应付", "202": "应付", "221": "借款"}


class RegisterCounterparty(Keyed):
    """Register a counterparty of a village's books (F3): a person (with their registry person
    id if they are a resident: once per village), an organisation or an internal unit, and its
    opening balances on the claims accounts as at the ledger's opening (debit positive) — only
    while no month of the ledger is closed."""

    title = "登记往来单位或个人"
    example = keyed(
        "counterparty-dongwangjia-coop",
        village_id=VILLAGE,
        kind="organisation",
        name="东王家村农机专业合作社",
        opening={"112": 300_000},
    )
    village_id: Id
    kind: Annotated[str, Choice(KINDS, "类别")]
    name: Annotated[str, Text(100, "名称或姓名")]
    person_id: Id | None = None
    opening: Annotated[dict[str, int], Field(max_length=10)] = Field(default_factory=dict)


@decides(village_scope)
def register_counterparty(cmd: RegisterCounterparty, actor: Actor, app: FinanceBase) -> Any:
    ledger = app.ledger(cmd.village_id)
    Counterparty.check(cmd.kind, cmd.person_id, cmd.opening, ledger.opened_on)
    if cmd.opening and ledger.closed:
        raise refuse(
            "counterparty.opening_closed",
            f"{ledger.closed[0]} 期已结账，不能再补登往来期初余额",
            f"the period {ledger.closed[0]} is closed: opening balances can no longer be added",
            "opening",
        )
    key = f"person:{cmd.person_id}" if cmd.person_id else f"key:{cmd.idempotency_key}"
    party_id = Counterparty.create_id(cmd.village_id, key)
    app.ensure_new(party_id, "该人员的往来户", "person_id", "counterparty.exists")
    party = Counterparty(
        id=party_id,
        village_id=cmd.village_id,
        kind=cmd.kind,
        name=cmd.name,
        person_id=cmd.person_id,
        opening=cmd.opening,
        actor=actor.to_dict(),
    )
    return [party], {"counterparty_id": str(party.id)}


def check_counterparties(
    app: FinanceBase, village_id: str, lines: Sequence[dict[str, Any]]
) -> None:
    """A voucher line names a counterparty registered in the same village's books."""
    for i, line in enumerate(lines):
        named = line.get("counterparty_id")
        if named is None:
            continue
        party = app.find(UUID(named))
        if not isinstance(party, Counterparty) or party.village_id != village_id:
            raise refuse(
                "voucher.unknown_counterparty",
                "往来单位或个人须先在本村账套登记",
                "name a counterparty registered in this village's books",
                f"lines.{i}.counterparty_id",
            )


class CounterpartiesQuery(MonthQuery):
    """A village's receivables and debts of one month per counterparty (债权债务): for each
    counterparty and claims account its opening balance, increase, decrease and closing balance
    in the account's own direction, its kind (应收/应付/借款/内部往来); a person shown by
    family name only (D8); and per account whether the subledgers agree with the books (F31)."""

    title = "往来明细与债权债务"


def counterparties(cmd: CounterpartiesQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("counterparties", actor, app.village_target(cmd.village_id))
    start, end = f"{cmd.period}-01", f"{next_month(cmd.period)}-01"
    with app.read() as c:
        found = {
            r.id: r
            for r in c.execute(select(cp_table).where(cp_table.c.village_id == cmd.village_id))
        }
        ledgers = subledgers(c, cmd.village_id, start, end)
        check = reconciliation(c, cmd.village_id, end)
    accounts = claims_on(start)
    rows = []
    for (party, account), (opening, debit, credit) in sorted(ledgers.items()):
        if account not in accounts or not (opening or debit or credit):
            continue
        sign = 1 if GROWS[account] == "debit" else -1
        up, down = (debit, credit) if sign == 1 else (credit, debit)
        r = found[party]
        rows.append(
            {
                "counterparty_id": party,
                "name": mask_name(r.name) if r.kind == "person" else r.name,
                "kind": r.kind,
                "account": account,
                "category": CATEGORY[account],
                "opening_fen": sign * opening,
                "increase_fen": up,
                "decrease_fen": down,
                "closing_fen": sign * opening + up - down,
            }
        )
    rows.sort(key=lambda r: (r["account"], r["name"], r["counterparty_id"]))
    return {
        "village_id": cmd.village_id,
        "period": cmd.period,
        "rows": rows,
        "accounts": [{**a, "reconciled": a["books_fen"] == a["subledger_fen"]} for a in check],
    }
