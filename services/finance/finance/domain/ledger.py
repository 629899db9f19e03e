"""A village collective's ledger (账套), F1, F25, F26: its chart, opening balances, periods and
the numbers of its posted vouchers.

Numbers (``记-2026-007``) are given at posting, consecutively per ledger and year, from the
ledger's own counter: drafts, returned and voided vouchers consume none, and two postings racing
for the same number meet at the ledger's version, so a number is never used twice or skipped
(会计基础工作规范 Art. 51) [law]. The ledger also knows which vouchers wait in review, so that a
month cannot be closed under them (F26).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from finance.domain.charts import chart_on
from finance.domain.common import ActorDict, natural_id, period_of, refuse, yuan


class Ledger(Aggregate):
    """The books of one village collective (村集体经济组织), one per village: its id is the
    village's, so a second ledger for the same village meets the first."""

    @staticmethod
    def create_id(village_id: str) -> UUID:
        return natural_id("ledger", village_id)

    @event("Opened")
    def __init__(
        self, village_id: str, opened_on: str, opening: dict[str, int], actor: ActorDict
    ) -> None:
        self.village_id = village_id
        self.opened_on = opened_on
        self.opening = dict(opening)  # account -> fen, debit positive, credit negative
        self.closed: list[str] = []  # closed months, in order
        self.counters: dict[str, int] = {}  # year -> last number given
        self.pending: dict[str, str] = {}  # voucher id -> its month, while in review

    @staticmethod
    def check_opening(opened_on: str, opening: dict[str, int]) -> None:
        """F1: opening balances on accounts of the chart in force, summing to zero."""
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

    def close_period(self, period: str, today: str, actor: ActorDict) -> None:
        """结账 of one month: the months close in order, only once over, and none while a
        voucher dated in it waits in review (F26)."""
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
        self._closed(period, self.village_id, actor)

    @event("PeriodClosed")
    def _closed(self, period: str, village_id: str, actor: ActorDict) -> None:
        self.closed.append(period)


def next_month(period: str) -> str:
    """The month after ``period``: '2026-12' -> '2027-01'."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
