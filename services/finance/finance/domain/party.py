"""A counterparty (往来单位或个人), F3: who the collective is owed by or owes — a person (with
the registry's person id when they are one of its residents), an organisation, or an internal
unit (内部往来: a villagers' group, the collective's own enterprise).

Its subledger (往来明细账) is its opening balances on the claims accounts, as at the ledger's
opening, and every posted voucher line that names it; at a month's close the subledgers of each
claims account add up to the account's balance in the books (F31)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate

from finance.domain.charts import chart_on
from finance.domain.common import ActorDict, natural_id, refuse

KINDS = {"person": "个人", "organisation": "单位", "internal": "内部单位"}
# the claims accounts (债权债务) of each chart: 应收款, 内部往来, 应付款, 长期借款及应付款
CLAIMS = {"cas2023": ("112", "113", "211", "221"), "cas2004": ("112", "113", "202", "221")}


def claims_on(day: str) -> tuple[str, ...]:
    """The claims accounts of the chart in force on ``day``."""
    chart = chart_on(day)
    return CLAIMS.get(chart.id, ()) if chart else ()


@dataclass
class Counterparty(Aggregate, created_event_name="Registered"):
    """One counterparty of one village's books."""

    id: UUID  # by the registry person, or by the key of the command that registered it
    village_id: str
    kind: str
    name: str
    person_id: str | None
    opening: dict[str, int]  # account -> fen at the ledger's opening, debit positive
    actor: ActorDict

    @staticmethod
    def create_id(village_id: str, key: str) -> UUID:
        """A registry person is one counterparty per village (``person:<id>``); anyone else
        is one per registration (its idempotency key)."""
        return natural_id("counterparty", village_id, key)

    @staticmethod
    def check(kind: str, person_id: str | None, opening: dict[str, int], opened_on: str) -> None:
        """A registry person id belongs to a person; opening balances sit on the claims
        accounts of the chart in force at the ledger's opening, in whole fen, not zero."""
        if person_id is not None and kind != "person":
            raise refuse(
                "counterparty.person_id",
                "只有个人才有登记的人员编号",
                "only a person has a registry person id",
                "person_id",
            )
        allowed = claims_on(opened_on)
        for code, fen in opening.items():
            if code not in allowed or type(fen) is not int or fen == 0:
                raise refuse(
                    "counterparty.opening_account",
                    f"往来期初余额只能记在债权债务科目（{'、'.join(allowed)}）上，且为非零整数（分）",
                    f"opening balances sit on the claims accounts ({', '.join(allowed)}), "
                    "in whole fen, not zero",
                    f"opening.{code}",
                )
