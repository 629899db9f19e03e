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

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import checks

from finance.domain.carryover import carry_over_table
from finance.domain.charts import chart_on
from finance.domain.common import IDS, ActorDict, period_of, refuse, yuan

FIXED_ASSETS = "151"  # 固定资产, the same code in both charts
CASH = "101"  # 库存现金 (现金 in the 2004 chart), the same code in both charts


class Ledger(Aggregate):
    """The books of one village collective (村集体经济组织), one per village: its id is the
    village's, so a second ledger for the same village meets the first."""

    # the day the books moved to the 2023 chart (财会〔2023〕20号), if they were kept before it;
    # a class default, so a ledger loaded from a snapshot older than the carry-over has it
    carried_on: str | None = None

    create_id = IDS.keyed_by("ledger", "village_id")

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
        """The next number of the voucher's year, given now that it posts (F25); books kept
        on the 2004 chart post nothing on the 2023 chart before their balances carry over."""
        self.check_open(voucher_date)
        new_chart = carry_over_table().on
        if self.opened_on < new_chart <= voucher_date and self.carried_on is None:
            raise refuse(
                "ledger.carryover_required",
                f"账套按旧制度建账，{new_chart} 起须先将科目余额结转到新科目",
                f"the books were kept on the 2004 chart: carry their balances over to the 2023 "
                f"chart before posting on or after {new_chart}",
                "voucher_date",
            )
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

    @event("AssetRegistered")
    def _asset_registered(self, asset_id: str, record: dict[str, Any], actor: ActorDict) -> None:
        self.assets[asset_id] = dict(record)

    @checks(_asset_registered)
    def register_asset(self, asset_id: str, record: dict[str, Any]) -> None:
        """F4: a fixed asset enters the register (bought, built, donated: its voucher named)."""
        if asset_id in self.assets:
            raise refuse(
                "asset.exists", "该资产已登记", "the asset is registered already", "asset_id"
            )
        self.check_open(record["acquired_on"], "acquired_on")

    @event("AssetDisposed")
    def _asset_disposed(self, asset_id: str, on: str, voucher_id: str, actor: ActorDict) -> None:
        self.assets[asset_id]["disposed_on"] = on
        self.assets[asset_id]["disposal_voucher_id"] = voucher_id

    @checks(_asset_disposed)
    def dispose_asset(self, asset_id: str, on: str) -> None:
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

    def transfer_asset(
        self, asset_id: str, on: str, location: str, user_id: str | None, actor: ActorDict
    ) -> None:
        """F4: a fixed asset held on the register moves to another place (存放地点, free text)
        or user (使用人, a registry person's id), dated in an open month, never before its
        acquisition or its last move; the register keeps each move in order, so a month's
        register shows where it was and who used it then."""
        asset = self.assets.get(asset_id)
        moves = asset.get("moves", []) if asset else []
        since = moves[-1][0] if moves else asset["acquired_on"] if asset else ""
        if asset is None or asset.get("disposed_on") is not None or on < since:
            raise refuse(
                "asset.not_transferable",
                f"该资产不在册，或转移日期早于取得或上次转移日期（{since}）",
                f"the asset is not on the register, or the move predates its acquisition or "
                f"its last move ({since})",
                "asset_id" if asset is None or asset.get("disposed_on") else "transferred_on",
            )
        if asset is not None and (location, user_id) == whereabouts(asset, "9999-12-31"):
            raise refuse(
                "asset.unchanged",
                "存放地点和使用人均未改变",
                "the asset is kept there and used by them already",
                "location",
            )
        self.check_open(on, "transferred_on")
        was = whereabouts(asset, on)[0]
        self._asset_transferred(asset_id, on, was, location, actor, user_id)

    @event("AssetTransferred")
    def _asset_transferred(
        self,
        asset_id: str,
        on: str,
        was: str,
        location: str,
        actor: ActorDict,
        user_id: str | None = None,  # moves recorded before users were person ids have none
    ) -> None:
        asset = self.assets[asset_id]  # kept as registered: where it is now is its last move
        asset["moves"] = [*asset.get("moves", []), [on, location, user_id]]

    def carry_over(
        self, closing: dict[str, int], opening: dict[str, int], actor: ActorDict
    ) -> None:
        """新旧衔接 (财会〔2023〕20号): the closing balances at 2023-12-31 on the 2004 chart
        (``closing``) become the opening balances on the 2023 chart (``opening``), once, after
        every month of 2023 is closed and before anything posts on the new chart."""
        self.check_carry_over()
        if sum(closing.values()) or sum(opening.values()) != sum(closing.values()):
            raise refuse(
                "carryover.unbalanced",
                "结转前后的科目余额借贷不平",
                "the balances carried over do not balance",
                "closing",
                closing_fen=sum(closing.values()),
                opening_fen=sum(opening.values()),
            )
        table = carry_over_table()
        self._carried_over(
            table.on,
            self.village_id,
            table.source_chart,
            table.target_chart,
            closing,
            opening,
            actor,
        )

    def check_carry_over(self) -> None:
        """The books may carry over: not yet done, kept before the 2023 chart, every month of
        the old books closed (the balances are final), nothing posted on the new chart."""
        table = carry_over_table()
        last_old = f"{int(table.on[:4]) - 1}-12"
        if self.carried_on is not None:
            raise refuse(
                "carryover.done",
                f"科目余额已于 {self.carried_on} 结转到新科目",
                f"the balances were carried over on {self.carried_on} already",
                "village_id",
            )
        if self.opened_on >= table.on:
            raise refuse(
                "carryover.not_needed",
                f"账套于 {self.opened_on} 按新制度建账，无需衔接",
                f"the books were opened on the 2023 chart ({self.opened_on}): nothing to carry",
                "village_id",
            )
        if self.last_closed is None or self.last_closed < last_old:
            expected = next_month(self.last_closed) if self.last_closed else self.opened_on[:7]
            raise refuse(
                "carryover.periods_open",
                f"{expected} 期尚未结账：旧账各月结账后才能结转",
                f"the period {expected} is still open: every month of the old books closes first",
                "period",
                expected=expected,
            )

    @event("ChartCarriedOver")
    def _carried_over(
        self,
        on: str,
        village_id: str,
        source_chart: str,
        target_chart: str,
        closing: dict[str, int],
        opening: dict[str, int],
        actor: ActorDict,
    ) -> None:
        self.carried_on = on

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


def whereabouts(asset: dict[str, Any], on: str) -> tuple[str, str | None]:
    """Where a fixed asset on the register was kept (a place) and who used it (a registry
    person id, or None) at the end of the day ``on`` (F4): its last move by then, else as it
    was registered. A move recorded before users were person ids (``[day, text]``) names a
    place only."""
    where, user = asset.get("location", ""), asset.get("user_id")
    for move in asset.get("moves", []):
        if move[0] <= on:
            where, user = move[1], move[2] if len(move) > 2 else None
    return str(where or ""), user


def next_month(period: str) -> str:
    """The month after ``period``: '2026-12' -> '2027-01'."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
