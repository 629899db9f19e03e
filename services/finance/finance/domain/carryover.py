"""The carry-over of a ledger's balances from the 2004 chart to the 2023 chart on 2024-01-01
(财会〔2023〕20号): each old account's closing balance at 2023-12-31 goes to its new account(s)
by the correspondence table (``charts/carryover-cas2004-cas2023.toml``, whose rows are marked
with where they come from), split as the operator states where the 2023 chart divides an
account. The result balances because every fen of every balance goes somewhere exactly once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from finance.domain.common import refuse, yuan

CARRY_OVER_FILE = "carryover-cas2004-cas2023.toml"


@dataclass(frozen=True)
class Mapping:
    """One old account's row: where its balance goes."""

    account: str
    to: str | None  # the whole balance, when no split is given
    into: tuple[str, ...]  # the accounts a split may use
    source: str  # name | secondary | judgement
    verified: bool
    note: str


@dataclass(frozen=True)
class CarryOver:
    """The correspondence of the two charts and the day the new one starts."""

    source_chart: str
    target_chart: str
    on: str
    rows: dict[str, Mapping]


@cache
def carry_over_table() -> CarryOver:
    """The correspondence table shipped beside the charts."""
    files = resources.files(__package__).joinpath("charts")
    data = tomllib.loads(files.joinpath(CARRY_OVER_FILE).read_text(encoding="utf-8"))
    head = data["carryover"]
    rows = {
        code: Mapping(
            code,
            row.get("to"),
            tuple(row.get("into", [row["to"]] if "to" in row else [])),
            row["source"],
            row["verified"],
            row.get("note", ""),
        )
        for code, row in data["accounts"].items()
    }
    return CarryOver(head["from"], head["to"], head["on"], rows)


def carried(
    closing: dict[str, int], splits: dict[str, dict[str, int]], table: CarryOver
) -> dict[str, int]:
    """The new chart's opening balances (debit positive) from the old chart's closing ones:
    refused when a balance has no row (``carryover.unmapped``), when a row needs a split none
    was given for (``carryover.split_required``), or a split names a target its row does not
    allow, names an account with no balance, or does not add up to the balance
    (``carryover.split``)."""
    unmapped = sorted(a for a, fen in closing.items() if fen and not _row(table, a).into)
    if unmapped:
        raise refuse(
            "carryover.unmapped",
            f"科目 {'、'.join(unmapped)} 有余额，但对照表中没有对应的新科目（损益类科目应先年终结转）",
            f"account(s) {', '.join(unmapped)} have a balance the correspondence table maps to "
            "no new account (income and expense accounts are closed at the year's end first)",
            "closing",
            accounts=unmapped,
        )
    for account in splits:
        if not closing.get(account):
            raise refuse(
                "carryover.split",
                f"科目 {account} 在 2023 年末没有余额，无需拆分",
                f"account {account} has no balance at the end of 2023 to split",
                f"splits.{account}",
            )
    opening: dict[str, int] = {}
    for account, fen in sorted(closing.items()):
        if not fen:
            continue
        for target, part in _parts(_row(table, account), fen, splits.get(account)).items():
            opening[target] = opening.get(target, 0) + part
    return {a: fen for a, fen in sorted(opening.items()) if fen}


def _row(table: CarryOver, account: str) -> Mapping:
    return table.rows.get(account) or Mapping(account, None, (), "", False, "")


def _parts(row: Mapping, fen: int, split: dict[str, int] | None) -> dict[str, int]:
    """Where one balance goes: its split if given, else all of it to the row's ``to``."""
    field = f"splits.{row.account}"
    if split is None:
        if row.to is None:
            raise refuse(
                "carryover.split_required",
                f"科目 {row.account} 的余额须按新科目 {'、'.join(row.into)} 拆分（{row.note}）",
                f"the balance of account {row.account} must be split among "
                f"{', '.join(row.into)} ({row.note})",
                field,
                into=list(row.into),
                balance_fen=fen,
            )
        return {row.to: fen}
    wrong = sorted(set(split) - set(row.into))
    if wrong:
        raise refuse(
            "carryover.split",
            f"科目 {row.account} 只能转入 {'、'.join(row.into)}，不能转入 {'、'.join(wrong)}",
            f"account {row.account} carries over only into {', '.join(row.into)}, "
            f"not {', '.join(wrong)}",
            field,
            into=list(row.into),
        )
    if (difference := sum(split.values()) - fen) != 0:
        raise refuse(
            "carryover.split",
            f"科目 {row.account} 的拆分合计与余额 {yuan(fen)} 元相差 {yuan(difference)} 元",
            f"the split of account {row.account} differs from its balance of {yuan(fen)} "
            f"yuan by {yuan(difference)} yuan",
            field,
            difference_fen=difference,
        )
    return dict(split)
