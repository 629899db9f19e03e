"""A disclosure (财务公开), F10 and D1–D5: one village's books for one quarter, in the eight
categories of 农经发〔2011〕13号 in order, prepared from the closed months, reviewed by the
民主理财小组 with its opinion, then published for the residents.

Its content is fixed when it is prepared (the quarter's months are closed, so no voucher can
enter them) and is identified by the SHA-256 of its canonical JSON: the published bytes can be
checked by anyone against the published digest. A mistake found later is corrected in a later
period (a correction notice), never by changing a published disclosure."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import checks

from finance.domain.charts import Chart
from finance.domain.common import IDS, ActorDict, refuse

# The eight categories in the order of the 2011 rules [law]; an empty one is printed with
# NOTHING, never left out (D1).
CATEGORIES = (
    ("plan", "财务计划"),
    ("income", "各项收入"),
    ("expense", "各项支出"),
    ("assets", "各项资产"),
    ("resources", "各类资源"),
    ("claims", "债权债务"),
    ("distribution", "收益分配"),
    ("other", "其他"),
)
NOTHING = "本期无此类事项"
FUNDS = ("101", "102")  # 库存现金, 银行存款: the same codes in both charts
# the claims and debts (债权债务) shown: receivables, payables and what members are owed
CLAIMS = {"cas2023": ("112", "113", "211", "221"), "cas2004": ("112", "113", "202", "221")}


class PeriodFold:
    """A period's books as every disclosure of it shows them (D1, §1.4), whatever they are
    read from (the read model, or the stored events of a report): the posted lines of the
    period sorted into the categories entered entry by entry (income credited, expenses
    debited), each account's movements and closing balance, the claims and debts, the funds.

    ``lines`` are dicts with ``account``, ``side`` and ``amount_fen`` (a red line negative),
    in date and number order; they are passed through to ``entries`` as they are.
    ``opening``: each account's debit-positive balance before the period."""

    def __init__(self, chart: Chart, opening: Mapping[str, int], lines: Iterable[dict[str, Any]]):
        self.chart = chart
        self.opening = dict(opening)
        self.debit: dict[str, int] = defaultdict(int)
        self.credit: dict[str, int] = defaultdict(int)
        self.entries: dict[str, list[dict[str, Any]]] = {"income": [], "expense": []}
        for x in lines:
            code = x["account"]
            (self.debit if x["side"] == "debit" else self.credit)[code] += x["amount_fen"]
            account = chart.account(code)
            if account and (account.cls, x["side"]) in (("income", "credit"), ("expense", "debit")):
                self.entries[account.cls].append(x)

    def closing(self, code: str) -> int:
        return self.opening.get(code, 0) + self.debit.get(code, 0) - self.credit.get(code, 0)

    def accounts(self) -> list[str]:
        """Every account with an opening balance or a movement, in code order."""
        moved = {a for a in set(self.debit) | set(self.credit) if self.debit[a] or self.credit[a]}
        return sorted({a for a, fen in self.opening.items() if fen} | moved)

    def balances(self, cls: str) -> list[tuple[str, int]]:
        """The accounts of class ``cls`` (asset, liability…) with a closing balance."""
        return [
            (a, self.closing(a))
            for a in self.accounts()
            if self.closing(a) and (found := self.chart.account(a)) and found.cls == cls
        ]

    def claims(self) -> list[tuple[str, int]]:
        """The claims and debts accounts with a closing balance, in the chart's order."""
        return [(a, self.closing(a)) for a in CLAIMS.get(self.chart.id, ()) if self.closing(a)]

    def funds(self) -> dict[str, int]:
        """The funds summary (资金收支汇总): cash and bank at the start, in, out, at the end."""
        opening = sum(self.opening.get(a, 0) for a in FUNDS)
        receipts = sum(self.debit.get(a, 0) for a in FUNDS)
        payments = sum(self.credit.get(a, 0) for a in FUNDS)
        return {
            "opening_fen": opening,
            "receipts_fen": receipts,
            "payments_fen": payments,
            "closing_fen": opening + receipts - payments,
        }


def quarter_months(quarter: str) -> list[str]:
    """The months of a quarter: '2026Q1' -> ['2026-01', '2026-02', '2026-03']."""
    year, q = quarter[:4], int(quarter[5])
    return [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


def check_quarter_closed(closed: list[str], quarter: str) -> None:
    """D5: a quarter is disclosed only once every month of it is closed (``closed``: the
    ledger's closed months), so nothing can enter it later."""
    open_months = [m for m in quarter_months(quarter) if m not in closed]
    if open_months:
        raise refuse(
            "disclosure.period_open",
            f"{open_months[0]} 期尚未结账，不能编制本季度公开",
            f"the period {open_months[0]} is not closed yet",
            "period",
            open=open_months,
        )


def due_on(quarter: str, due_day: int) -> str:
    """D2: due by day ``due_day`` of the first month of the next quarter [local]."""
    year, q = int(quarter[:4]), int(quarter[5])
    year, month = (year + 1, 1) if q == 4 else (year, 3 * q + 1)
    return f"{year:04d}-{month:02d}-{due_day:02d}"


def digest(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a disclosure's content (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Disclosure(Aggregate, created_event_name="Prepared"):
    """The periodic disclosure of one village for one quarter."""

    village_id: str
    kind: str
    period: str
    content: dict[str, Any]
    content_sha256: str
    due_on: str
    prepared_on: str
    actor: ActorDict
    opinion: str | None = field(default=None, init=False)
    reviewer_id: str | None = field(default=None, init=False)
    published_on: str | None = field(default=None, init=False)
    # the correction notices a later disclosure carries for lines of this one (D33)
    superseded: list[dict[str, Any]] = field(default_factory=list, init=False)

    create_id = IDS.keyed_by("disclosure", "village_id", "kind", "period")

    @property
    def status(self) -> str:
        if self.published_on:
            return "published"
        return "reviewed" if self.opinion else "prepared"

    @event("Reviewed")
    def _reviewed(self, opinion: str, reviewer_id: str, on: str, actor: ActorDict) -> None:
        self.opinion = opinion
        self.reviewer_id = reviewer_id

    @checks(_reviewed)
    def review(self, opinion: str) -> None:
        """D5: the 民主理财小组 reviews the truth and completeness before publication and
        records its opinion; reviewed once."""
        if self.opinion is not None:
            raise refuse(
                "disclosure.already_reviewed",
                "该公开已审核",
                "the disclosure has been reviewed already",
                "disclosure_id",
            )
        if not opinion.strip():
            raise refuse(
                "disclosure.opinion_required",
                "民主理财小组须写明审核意见",
                "the finance group's review states its opinion",
                "opinion",
            )

    def publish(
        self, published_on: str, posted_until: str, community_id: str, actor: ActorDict
    ) -> None:
        """D5: published only after its review, once (``community_id``: the village's now,
        for the services that count per community)."""
        if self.opinion is None or self.published_on is not None:
            raise refuse(
                "disclosure.not_publishable",
                "公开须经民主理财小组审核且只发布一次",
                "a disclosure is published once, after the finance group's review",
                "disclosure_id",
                status=self.status,
            )
        self._published(
            published_on,
            posted_until,
            self.village_id,
            community_id,
            self.kind,
            self.period,
            self.content_sha256,
            published_on > self.due_on,
            actor,
        )

    @event("Published")
    def _published(
        self,
        published_on: str,
        posted_until: str,
        village_id: str,
        community_id: str,
        kind: str,
        period: str,
        content_sha256: str,
        late: bool,
        actor: ActorDict,
    ) -> None:
        self.published_on = published_on

    def corrected_by(self, objection_id: str) -> bool:
        """Whether a correction notice already carries the answer to ``objection_id``."""
        return any(x["objection_id"] == objection_id for x in self.superseded)

    @event("Superseded")
    def _superseded(self, notice: dict[str, str | None], actor: ActorDict) -> None:
        self.superseded.append(dict(notice))

    @checks(_superseded)
    def supersede(self, notice: dict[str, str | None]) -> None:
        """D33, F10 ``DisclosureSuperseded``: a correction notice carries the correction
        voucher an objection's answer cited, for a line of this disclosure (or the whole of
        it): ``notice`` names them (``notice_id``, ``line``, ``voucher_id``, ``objection_id``,
        ``on``). This disclosure is never withdrawn and its content never changes; a published
        one only, once per objection."""
        if self.published_on is None or self.corrected_by(str(notice["objection_id"])):
            raise refuse(
                "disclosure.not_correctable",
                "只有已发布的公开可以更正，同一质询的更正只公告一次",
                "only a published disclosure is corrected, once per objection",
                "disclosure_id",
            )


@dataclass
class Overdue(Aggregate, created_event_name="Recorded"):
    """An obligation to disclose that passed its due date unpublished (D7): recorded once per
    village, kind and period, so downstream services count it once."""

    village_id: str
    community_id: str
    kind: str
    period: str
    due_on: str
    actor: ActorDict

    create_id = IDS.keyed_by("overdue", "village_id", "kind", "period")


def quarters_between(first_day: str, last_day: str) -> list[str]:
    """Every quarter from the one holding ``first_day`` to the one holding ``last_day``."""
    year, q = int(first_day[:4]), (int(first_day[5:7]) - 1) // 3 + 1
    end = (int(last_day[:4]), (int(last_day[5:7]) - 1) // 3 + 1)
    out = []
    while (year, q) <= end:
        out.append(f"{year}Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out
