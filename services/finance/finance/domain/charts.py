"""Charts of accounts (会计科目表), as data with the date each comes into force.

The 2004 chart (财会〔2004〕12号) keeps the books before 2024-01-01 and the 2023 chart
(财会〔2023〕14号) from then on [law]; a voucher is checked against the chart in force on its own
date (F21), and reports print account names, never bare codes: 211 and 502 mean different
accounts in the two charts.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@cache
def vocabulary() -> dict[str, Any]:
    """The words of the domain (``vocabulary.toml``): review stages, voucher kinds, account
    classes and sides, each with its Chinese name."""
    text = resources.files(__package__).joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    cls: str  # a class of vocabulary.toml: asset, liability, equity, cost, income, expense
    normal: str  # the side a balance normally stands on: "debit" or "credit"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    effective_from: str
    accounts: dict[str, Account]

    def account(self, code: str) -> Account | None:
        return self.accounts.get(code)

    def is_leaf(self, code: str) -> bool:
        """An account with no sub-account in this chart (only leaves take postings)."""
        return code in self.accounts and not any(
            other.startswith(code + ".") for other in self.accounts
        )


@cache
def charts() -> tuple[Chart, ...]:
    """Every chart shipped, oldest first."""
    found = []
    for entry in resources.files(__package__).joinpath("charts").iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            if "chart" not in data:  # the carry-over table beside the charts
                continue
            head = data["chart"]
            accounts = {
                code: Account(code, a["name"], a["class"], a["normal"])
                for code, a in data["accounts"].items()
            }
            found.append(Chart(head["id"], head["title"], head["effective_from"], accounts))
    return tuple(sorted(found, key=lambda c: c.effective_from))


def chart_on(day: str) -> Chart | None:
    """The chart in force on ``day`` (ISO date), or None before the first."""
    current = None
    for chart in charts():
        if chart.effective_from <= day:
            current = chart
    return current
