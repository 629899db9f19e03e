"""A voucher (记账凭证) and its four-party review (凭证审核), F2 and F20–F29.

Drafted by the village's clerk (报账员), amended while a draft or returned, submitted, reviewed
stage by stage by four distinct people each holding the stage's role, then posted with the number
its ledger assigns. A posted voucher is never edited: a mistake is corrected by a red-ink reversal
and a blue voucher, or by a difference voucher (会计基础工作规范 Art. 51(5)) [law].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import checks

from finance.domain.charts import Chart, chart_on, vocabulary
from finance.domain.common import ActorDict, period_of, refuse, yuan

# The review stages in their default order [local, FINANCE.md §1.3]: name -> (role, title).
STAGES: dict[str, tuple[str, str]] = {
    name: (stage["role"], stage["title"]) for name, stage in vocabulary()["stages"].items()
}
KINDS: dict[str, str] = vocabulary()["kinds"]
EDITABLE = ("draft", "returned")


def checked_lines(lines: Sequence[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    """The lines of a voucher dated ``day``, refused unless they make a voucher: at least two,
    every amount a positive integer of fen (a red line counts negative), debits equal to credits
    (F20), every account a leaf of the chart in force on ``day`` (F21), and no income spent
    directly (F28)."""
    if len(lines) < 2:
        raise refuse(
            "voucher.unbalanced",
            "凭证至少须有两行分录",
            "a voucher needs at least two lines",
            "lines",
        )
    chart = chart_on(day)
    balance, out = 0, []
    for i, line in enumerate(lines):
        amount = line.get("amount_fen")
        if type(amount) is not int or amount <= 0:
            raise refuse(
                "voucher.unbalanced",
                "金额须为正整数（分）",
                "every amount is a positive whole number of fen",
                f"lines.{i}.amount_fen",
            )
        _leaf_account(chart, line.get("account", ""), day, f"lines.{i}.account")
        signed = -amount if line.get("red") else amount
        balance += signed if line.get("side") == "debit" else -signed
        out.append(dict(line, red=bool(line.get("red"))))
    if balance:
        raise refuse(
            "voucher.unbalanced",
            f"借贷不平，相差 {yuan(balance)} 元",
            f"debits and credits differ by {yuan(balance)} yuan",
            "lines",
            difference_fen=balance,
        )
    _no_direct_spending(chart, out)
    return out


def _leaf_account(chart: Chart | None, code: str, day: str, field: str) -> None:
    if chart is None or not chart.is_leaf(code):
        title = chart.title if chart else "（无）"
        raise refuse(
            "voucher.unknown_account",
            f"科目 {code} 不是 {day} 施行的《{title}》中的末级科目",
            f"account {code} is not a leaf account of the chart in force on {day}",
            field,
            chart=chart.id if chart else None,
        )


def _no_direct_spending(chart: Chart | None, lines: Iterable[dict[str, Any]]) -> None:
    """坐收坐支: income credited and an expense debited in one voucher (收支两条线) [local]."""
    classes = {(chart.accounts[x["account"]].cls, x["side"]) for x in lines} if chart else set()
    if {("income", "credit"), ("expense", "debit")} <= classes:
        raise refuse(
            "voucher.direct_spending",
            "不得坐收坐支：收入须先入账存入专户，再另行支出",
            "income may not be spent directly: bank it first, then pay from the account",
            "lines",
        )


def totals(lines: Iterable[dict[str, Any]], day: str) -> tuple[int, int]:
    """(income, expense) of a voucher in fen: its credits to income accounts and its debits to
    expense accounts, red lines counted negative."""
    chart = chart_on(day)
    income = expense = 0
    for x in lines:
        cls = chart.accounts[x["account"]].cls if chart else ""
        fen = -x["amount_fen"] if x["red"] else x["amount_fen"]
        if (cls, x["side"]) == ("income", "credit"):
            income += fen
        elif (cls, x["side"]) == ("expense", "debit"):
            expense += fen
    return income, expense


class Voucher(Aggregate):
    """One voucher of one ledger, from its draft to its posting."""

    id: UUID  # from the idempotency key of the command that drafted it

    @event("Drafted")
    def __init__(
        self,
        ledger_id: str,
        village_id: str,
        voucher_date: str,
        content: dict[str, Any],
        recorded_at: str,
        actor: ActorDict,
    ) -> None:
        self.ledger_id = ledger_id
        self.village_id = village_id
        self.status = "draft"
        self.number: str | None = None
        self.posted_on: str | None = None
        self.trail: list[dict[str, Any]] = []  # every review, return and posting, in order
        self._take(voucher_date, content)

    def _take(self, voucher_date: str, content: dict[str, Any]) -> None:
        self.voucher_date = voucher_date
        self.summary: str = content["summary"]
        self.lines: list[dict[str, Any]] = [dict(x) for x in content["lines"]]
        self.handler_id: str = content["handler_id"]
        self.witness_id: str | None = content.get("witness_id")
        self.attachments: int = content.get("attachments", 0)
        self.kind: str = content.get("kind", "normal")
        self.corrects: str | None = content.get("corrects")
        self.decision_id: str | None = content.get("decision_id")

    @property
    def approved(self) -> list[str]:
        """The stages approved since the voucher was last submitted, in order."""
        return [r["stage"] for r in self.trail if r.get("round") == self.round and r["approve"]]

    @property
    def round(self) -> int:
        return sum(1 for r in self.trail if r["what"] == "submitted")

    def _editable(self, field: str = "voucher_id") -> None:
        if self.status not in EDITABLE:
            raise refuse(
                "voucher.not_editable",
                "只有草稿或退回的凭证可以修改、提交或作废",
                "only a draft or a returned voucher can be amended, submitted or voided",
                field,
                status=self.status,
            )

    @event("Amended")
    def _amended(self, voucher_date: str, content: dict[str, Any], actor: ActorDict) -> None:
        self._take(voucher_date, content)

    @checks(_amended)
    def amend(self) -> None:
        """Change a draft (or a returned voucher): the lines are checked as on drafting."""
        self._editable()

    @event("Submitted")
    def _submitted(self, on: str, actor: ActorDict) -> None:
        self.status = "submitted"
        self.trail.append({"what": "submitted", "on": on})

    @checks(_submitted)
    def submit(self) -> None:
        self._editable()

    def review(
        self,
        stage: str,
        approve: bool,
        opinion: str,
        reviewer: dict[str, str],
        stages: Sequence[str],
        on: str,
        actor: ActorDict,
        community_id: str | None = None,
    ) -> None:
        """One stage's review (F22, F23): the next stage in ``stages`` order, by a person
        holding its role, who is not the handler and has taken no other stage this round. A
        return needs its reason and sends the voucher back to the clerk; it is also recorded
        as ``Returned`` with the village's community (``community_id``), which assessment
        counts (vouchers returned)."""
        if self.status != "submitted":
            raise refuse(
                "voucher.not_submitted",
                "凭证尚未提交审核",
                "the voucher is not submitted for review",
                "voucher_id",
            )
        expected = next((s for s in stages if s not in self.approved), None)
        if stage != expected:
            raise refuse(
                "voucher.stage_order",
                f"现在应由“{STAGES[expected][1] if expected else '无'}”审核",
                f"the stage to review now is {expected}",
                "stage",
                expected=expected,
            )
        if reviewer["role"] != STAGES[stage][0]:
            raise refuse(
                "voucher.stage_role",
                f"“{STAGES[stage][1]}”须由{STAGES[stage][0]}角色的人员审核",
                f"the {stage} stage is reviewed by a {STAGES[stage][0]}",
                "stage",
            )
        self._distinct(reviewer["person_id"])
        if not approve and not opinion.strip():
            raise refuse(
                "voucher.return_reason",
                "退回须写明理由",
                "a return needs its reason",
                "opinion",
            )
        self._reviewed(stage, approve, opinion, reviewer, on, actor)
        if not approve:
            self._returned(stage, on, self.village_id, community_id, actor)

    def _distinct(self, person_id: str) -> None:
        """不相容职务分离: the handler reviews none of their vouchers; one person, one stage."""
        took = [r["stage"] for r in self.trail if r.get("round") == self.round]
        if person_id == self.handler_id or person_id in {
            r["person_id"] for r in self.trail if r.get("round") == self.round
        }:
            raise refuse(
                "voucher.same_person",
                "经办人不得审核本人经办的凭证，同一人只能审核一个环节",
                "the handler may not review their own voucher, and one person takes one stage",
                "actor",
                stages_taken=took,
            )

    @event("Reviewed")
    def _reviewed(
        self,
        stage: str,
        approve: bool,
        opinion: str,
        reviewer: dict[str, str],
        on: str,
        actor: ActorDict,
    ) -> None:
        self.trail.append(
            {
                "what": "reviewed",
                "round": self.round,
                "stage": stage,
                "approve": approve,
                "opinion": opinion,
                "person_id": reviewer["person_id"],
                "on": on,
            }
        )
        if not approve:
            self.status = "returned"

    @event("Returned")
    def _returned(
        self,
        stage: str,
        returned_on: str,
        village_id: str,
        community_id: str | None,
        actor: ActorDict,
    ) -> None:
        """What other services learn of a return: the stage, the day, the village."""

    def check_postable(self, stages: Sequence[str]) -> None:
        """F22: every configured stage approved this round, else the first one missing."""
        missing = [s for s in stages if s not in self.approved]
        if self.status != "submitted" or missing:
            first = missing[0] if missing else stages[0]
            raise refuse(
                "voucher.reviews_incomplete",
                f"尚缺“{STAGES[first][1]}”，不能记账",
                f"the {first} review is still missing: the voucher cannot be posted",
                "voucher_id",
                missing=missing or list(stages),
            )

    def post(
        self, number: str, posted_on: str, actor: ActorDict, community_id: str | None = None
    ) -> None:
        """Posted (记账) under the number its ledger assigned (F25); the event carries what
        the books and the other services need of it: its village and the village's community,
        date, month, totals and how many times it was returned before."""
        income, expense = totals(self.lines, self.voucher_date)
        self._posted(
            number,
            posted_on,
            self.village_id,
            self.voucher_date,
            period_of(self.voucher_date),
            income,
            expense,
            actor,
            community_id,
            self.round - 1,
        )

    @event("Posted")
    def _posted(  # noqa: PLR0913, PLR0917 - the posting's facts, as the stored event holds them
        self,
        number: str,
        posted_on: str,
        village_id: str,
        voucher_date: str,
        period: str,
        income_fen: int,
        expense_fen: int,
        actor: ActorDict,
        community_id: str | None = None,  # None in postings stored before it was recorded
        returns: int = 0,
    ) -> None:
        self.status = "posted"
        self.number = number
        self.posted_on = posted_on
        self.trail.append({"what": "posted", "number": number, "on": posted_on})

    @event("Voided")
    def _voided(self, reason: str, actor: ActorDict) -> None:
        self.status = "voided"

    @checks(_voided)
    def void(self) -> None:
        """作废 a draft or returned voucher: it never had a number and takes none."""
        self._editable()


def check_correction(
    kind: str, voucher_date: str, lines: list[dict[str, Any]], corrected: Voucher | None
) -> None:
    """F27: the forms a correction may take (会计基础工作规范 Art. 51(5)) [law]."""
    problem = correction_problem(kind, voucher_date, lines, corrected)
    if problem:
        field, en = problem
        raise refuse(
            "voucher.correction_form",
            "更正凭证的形式不合《会计基础工作规范》第五十一条",
            f"not a valid correction (Art. 51): {en}",
            field,
        )


def correction_problem(
    kind: str, voucher_date: str, lines: list[dict[str, Any]], corrected: Voucher | None
) -> tuple[str, str] | None:
    """What is wrong with a voucher as a correction, as (field, words), or None.

    A correction names a posted voucher; in the same year it is a red-ink reversal (the
    original's lines, all red), a blue correcting voucher or a difference voucher; for an
    earlier year's voucher only a blue correction. Only difference vouchers mix red and blue
    lines; an ordinary voucher corrects nothing and has no red line."""
    red = {x["red"] for x in lines}
    if kind == "normal":
        if corrected is not None:
            return "corrects", "an ordinary voucher corrects nothing"
        return ("lines", "red lines belong to corrections") if True in red else None
    if corrected is None or corrected.status != "posted":
        return "corrects", "a correction names a posted voucher"
    if corrected.voucher_date > voucher_date:
        return "voucher_date", "a correction is dated on or after the voucher it corrects"
    if corrected.voucher_date[:4] != voucher_date[:4] and kind != "blue_correction":
        return "kind", "an earlier year's voucher is corrected by a blue voucher only"
    if kind == "red_reversal":

        def copy(of: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
            return sorted((x["account"], x["side"], x["amount_fen"]) for x in of)

        if red != {True} or copy(lines) != copy(corrected.lines):
            return "lines", "a red reversal copies the original's lines, all in red"
    if kind == "blue_correction" and True in red:
        return "lines", "a blue voucher has no red line"
    return None


def check_decision(
    lines: list[dict[str, Any]], day: str, decision_id: str | None, over: int
) -> None:
    """F29: spending over ``over`` fen cites the village decision that approved it [local]."""
    spent = totals(lines, day)[1]
    if spent > over and not decision_id:
        raise refuse(
            "voucher.decision_required",
            f"支出 {yuan(spent)} 元超过 {yuan(over)} 元，须引用已公开的村级决策",
            f"spending of {yuan(spent)} yuan over {yuan(over)} cites a published village decision",
            "decision_id",
        )


def check_reviewer(stage: str, person_id: str, two_committees: set[str]) -> None:
    """F24: the finance group's reviewer holds no post on the village's two committees (两委)
    [local, provincial regulation Art. 20]; kinship is not in the registry and is not checked."""
    if stage == "finance_group" and person_id in two_committees:
        raise refuse(
            "voucher.reviewer_conflict",
            "两委成员不得担任民主理财小组审核人",
            "a member of the village's two committees may not review for the finance group",
            "actor",
        )
