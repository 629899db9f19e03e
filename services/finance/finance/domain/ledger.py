"""A village collective's ledger (账套), F1, F25, F26: its chart, opening balances, periods and
the numbers of its posted vouchers.

Numbers (``记-2026-007``) are given at posting, consecutively per ledger and year, from the
ledger's own counter: drafts, returned and voided vouchers consume none, and two postings racing
for the same number meet at the ledger's version, so a number is never used twice or skipped
(会计基础工作规范 Art. 51) [law]. The ledger also knows which vouchers wait in review, so that a
month cannot be closed under them (F26).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from finance.domain.charts import chart_on
from finance.domain.common import ActorDict, natural_id, period_of, refuse, yuan

FIXED_ASSETS = "151"  # 固定资产, the same code in both charts


class Ledger(Aggregate):
    """The books of one village collective (村集体经济组织), one per village: its id is the
    village's, so a second ledger for the same village meets the first."""

    @staticmethod
    def create_id(village_id: str) -> UUID:
        return natural_id("ledger", village_id)

    @event("Opened")
    def __init__(
        self,
        village_id: str,
        opened_on: str,
        opening: dict[str, int],
        assets: dict[str, dict[str, Any]],
        actor: ActorDict,
    ) -> None:
        self.village_id = village_id
        self.opened_on = opened_on
        self.opening = dict(opening)  # account -> fen, debit positive, credit negative
        # the fixed-asset register (固定资产登记簿): asset id -> its record (F4, F31)
        self.assets: dict[str, dict[str, Any]] = {k: dict(v) for k, v in assets.items()}
        self.closed: list[str] = []  # closed months, in order
        self.counters: dict[str, int] = {}  # year -> last number given
        self.pending: dict[str, str] = {}  # voucher id -> its month, while in review

    @staticmethod
    def check_opening(
        opened_on: str, opening: dict[str, int], assets: dict[str, dict[str, Any]] | None = None
    ) -> None:
        """F1: opening balances on accounts of the chart in force, summing to zero; F31: the
        fixed assets registered at opening add up to the opening balance of 固定资产 (151)."""
        chart = chart_on(opened_on)
        for code, fen in opening.items():
            if chart is None or not chart.is_leaf(code) or type(fen) is not int:
                raise refuse(
                    "voucher.unknown_account",
                    f"期初余额的科目 {code} 不在 {opened_on} 施行的科目表中，或金额不是整数（分）",
                    f"opening balance {code}: not an account in force on {opened_on}, "
                    "or not whole fen",
                    f"opening.{code}",
                )
        if total := sum(opening.values()):
            raise refuse(
                "ledger.opening_unbalanced",
                f"期初余额借贷不平，相差 {yuan(total)} 元",
                f"the opening balances do not balance: they differ by {yuan(total)} yuan",
                "opening",
                difference_fen=total,
            )
        registered = sum(a["original_fen"] for a in (assets or {}).values())
        if registered != opening.get(FIXED_ASSETS, 0):
            raise refuse(
                "ledger.assets_unreconciled",
                f"登记的固定资产原值合计 {yuan(registered)} 元，与固定资产科目期初余额不符",
                f"the fixed assets registered ({yuan(registered)} yuan) differ from the opening "
                "balance of account 151",
                "assets",
                register_fen=registered,
                books_fen=opening.get(FIXED_ASSETS, 0),
            )

    @property
    def last_closed(self) -> str | None:
        return self.closed[-1] if self.closed else None

    def check_open(self, day: str, field: str = "voucher_date") -> None:
        """F26: a voucher is dated in an open month, on or after the ledger's opening."""
        if day < self.opened_on:
            raise refuse(
                "period.before_opening",
                f"日期早于建账日期 {self.opened_on}",
                f"the date is before the ledger was opened ({self.opened_on})",
                field,
            )
        if period_of(day) in self.closed:
            raise refuse(
                "period.closed",
                f"{period_of(day)} 会计期间已结账，不能再记入凭证",
                f"the period {period_of(day)} is closed",
                field,
            )

    @event("VoucherPending")
    def note_submitted(self, voucher_id: str, voucher_date: str) -> None:
        self.pending[voucher_id] = period_of(voucher_date)

    @event("VoucherReleased")
    def note_returned(self, voucher_id: str) -> None:
        self.pending.pop(voucher_id, None)

    def assign_number(self, voucher_id: str, voucher_date: str, actor: ActorDict) -> str:
        """The next number of the voucher's year, given now that it posts (F25)."""
        self.check_open(voucher_date)
        year = voucher_date[:4]
        number = self.counters.get(year, 0) + 1
        self._numbered(voucher_id, year, number, actor)
        return f"记-{year}-{number:03d}"

    @event("VoucherNumbered")
    def _numbered(self, voucher_id: str, year: str, number: int, actor: ActorDict) -> None:
        self.counters[year] = number
        self.pending.pop(voucher_id, None)

    def register_total(self, on: str) -> int:
        """The original value of the fixed assets held at the end of the day ``on``."""
        return sum(
            a["original_fen"]
            for a in self.assets.values()
            if a["acquired_on"] <= on and (a.get("disposed_on") is None or a["disposed_on"] > on)
        )

    def register_asset(self, asset_id: str, record: dict[str, Any], actor: ActorDict) -> None:
        """F4: a fixed asset enters the register (bought, built, donated: its voucher named)."""
        if asset_id in self.assets:
            raise refuse(
                "asset.exists", "该资产已登记", "the asset is registered already", "asset_id"
            )
        self.check_open(record["acquired_on"], "acquired_on")
        self._asset_registered(asset_id, record, actor)

    @event("AssetRegistered")
    def _asset_registered(self, asset_id: str, record: dict[str, Any], actor: ActorDict) -> None:
        self.assets[asset_id] = dict(record)

    def dispose_asset(self, asset_id: str, on: str, voucher_id: str, actor: ActorDict) -> None:
        """F4: a fixed asset leaves the register (sold, scrapped), its voucher named."""
        asset = self.assets.get(asset_id)
        if asset is None or asset.get("disposed_on") is not None or on < asset["acquired_on"]:
            raise refuse(
                "asset.not_disposable",
                "该资产不在册，或处置日期早于取得日期",
                "the asset is not on the register, or the disposal predates its acquisition",
                "asset_id",
            )
        self.check_open(on, "disposed_on")
        self._asset_disposed(asset_id, on, voucher_id, actor)

    @event("AssetDisposed")
    def _asset_disposed(self, asset_id: str, on: str, voucher_id: str, actor: ActorDict) -> None:
        self.assets[asset_id]["disposed_on"] = on
        self.assets[asset_id]["disposal_voucher_id"] = voucher_id

    def close_period(self, period: str, today: str, books_151_fen: int, actor: ActorDict) -> None:
        """结账 of one month: the months close in order, only once over, and none while a
        voucher dated in it waits in review (F26); the fixed-asset register must agree with
        the books' 固定资产 (151) at the month's end (F31, ``books_151_fen``)."""
        first = period_of(self.opened_on)
        expected = next_month(self.last_closed) if self.last_closed else first
        if period != expected or period >= period_of(today):
            raise refuse(
                "period.out_of_order",
                f"应先结 {expected} 期，且只能结已过去的月份",
                f"the next period to close is {expected}, and only a month that has ended",
                "period",
                expected=expected,
            )
        waiting = sorted(v for v, p in self.pending.items() if p == period)
        if waiting:
            raise refuse(
                "period.pending_vouchers",
                f"{period} 期还有 {len(waiting)} 张凭证在审核中，不能结账",
                f"{len(waiting)} voucher(s) of {period} are still in review",
                "period",
                vouchers=waiting,
            )
        last_day = (
            dt.date.fromisoformat(f"{next_month(period)}-01") - dt.timedelta(days=1)
        ).isoformat()
        registered = self.register_total(last_day)
        if registered != books_151_fen:
            raise refuse(
                "period.unreconciled",
                f"固定资产登记簿原值 {yuan(registered)} 元与账面 {yuan(books_151_fen)} 元不符，不能结账",
                f"the asset register ({yuan(registered)} yuan) differs from the books "
                f"({yuan(books_151_fen)} yuan) of account 151",
                "period",
                register_fen=registered,
                books_fen=books_151_fen,
            )
        self._closed(period, self.village_id, actor)

    @event("PeriodClosed")
    def _closed(self, period: str, village_id: str, actor: ActorDict) -> None:
        self.closed.append(period)


def next_month(period: str) -> str:
    """The month after ``period``: '2026-12' -> '2027-01'."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
