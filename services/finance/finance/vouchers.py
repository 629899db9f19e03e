"""Use cases of vouchers (记账凭证): drafted by the village's clerk, amended while a draft or
returned, submitted, reviewed by four people stage by stage, posted by the agency's accountant
with the number the ledger gives, or voided while still a draft; and the queries of one voucher
with its review trail and of a village's vouchers.

The rules (F20–F29) live in ``finance.domain.voucher`` and ``finance.domain.ledger``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from pydantic import Field
from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Choice, Command, Count, Day, Flag, Id, Keyed, Note, Text, keyed
from shequ.handlers import changes, decides
from shequ.privacy import mask_name
from sqlalchemy import select

from finance import tables as t
from finance.base import FinanceBase
from finance.domain import (
    KINDS,
    STAGES,
    Disclosure,
    Voucher,
    chart_on,
    check_correction,
    check_decision,
    check_reviewer,
    checked_lines,
)
from finance.domain.common import key_id
from finance.domain.contract import Decision, check_cited
from finance.domain.disclosure import digest
from finance.examples import CLERK, MONTH, VILLAGE, VOUCHER
from finance.fields import Account, Period
from finance.ledgers import VillageQuery, village_scope, villages_read
from finance.parties import check_counterparties
from finance.registers import counterparties as counterparties_table

SIDES = ("debit", "credit")


class Line(Command):
    """One line (分录) of a voucher."""

    account: Account
    side: Annotated[str, Choice(SIDES, "借贷方向")]
    amount_fen: Annotated[int, Count(1, 10**13, "金额（分）")]
    red: Flag = False
    counterparty_id: Id | None = None
    contract_no: Annotated[str, Text(50, "合同编号")] | None = None
    memo: Annotated[str, Note(200, "摘要")] = ""


class Content(Keyed):
    """What a voucher says: its date, summary, lines, handler and witness, its kind and what it
    corrects or the decision it cites."""

    voucher_date: Day
    summary: Annotated[str, Text(200, "摘要")]
    lines: Annotated[list[Line], Field(min_length=1, max_length=200)]
    handler_id: Id
    witness_id: Id | None = None
    attachments: Annotated[int, Count(0, 999, "附件张数")] = 0
    kind: Annotated[str, Choice(KINDS, "凭证类型")] = "normal"
    corrects: Id | None = None
    decision_id: Id | None = None

    def content(self, app: FinanceBase, village_id: str) -> dict[str, Any]:
        """The voucher's content, its lines checked (F20, F21, F28), and the rules on what it
        corrects (F27) and the decision it cites (F29: one the village published)."""
        day = app.not_future(self.voucher_date, "voucher_date")
        lines = checked_lines([x.model_dump() for x in self.lines], day)
        check_counterparties(app, village_id, lines)
        corrected = app.voucher(self.corrects) if self.corrects else None
        check_correction(self.kind, day, lines, corrected)
        check_decision(lines, day, self.decision_id, app.settings.decision_required_over_fen)
        if self.decision_id:
            cited = app.find(Decision.create_id(self.decision_id))
            check_cited(cited, village_id, day, "voucher.decision_required", needs_property=False)
        kept = self.model_dump(
            exclude={"idempotency_key", "voucher_date", "voucher_id", "village_id"}
        )
        return {**kept, "lines": lines}


PAY = [
    {"account": "513", "side": "debit", "amount_fen": 12_000, "memo": "办公用品"},
    {"account": "102", "side": "credit", "amount_fen": 12_000},
]


class DraftVoucher(Content):
    """Draft a voucher for a village's ledger (the clerk, 报账员)."""

    title = "填制凭证"
    example = keyed(
        "voucher-dongwangjia-0001",
        village_id=VILLAGE,
        voucher_date="2026-01-10",
        summary="购买办公用品",
        lines=PAY,
        handler_id=CLERK,
        attachments=2,
    )
    village_id: Id


@decides(village_scope)
def draft_voucher(cmd: DraftVoucher, actor: Actor, app: FinanceBase) -> Any:
    ledger = app.ledger(cmd.village_id)
    ledger.check_open(cmd.voucher_date)
    voucher = Voucher(  # type: ignore[call-arg]  # the id is taken at runtime
        id=key_id("voucher", cmd.idempotency_key),
        ledger_id=str(ledger.id),
        village_id=cmd.village_id,
        voucher_date=cmd.voucher_date,
        content=cmd.content(app, cmd.village_id),
        recorded_at=app.recorded_at(),
        actor=actor.to_dict(),
    )
    return [voucher], {"voucher_id": str(voucher.id), "status": voucher.status}


def voucher_scope(cmd: Any, app: FinanceBase) -> Target:
    return app.village_target(app.voucher(cmd.voucher_id).village_id)


def load(cmd: Any, app: FinanceBase) -> Voucher:
    return app.voucher(cmd.voucher_id)


class AmendDraft(Content):
    """Change a draft or a returned voucher (the clerk); its lines are checked again."""

    title = "修改凭证"
    example = keyed(
        "voucher-0001-amend",
        voucher_id=VOUCHER,
        **{
            k: v
            for k, v in DraftVoucher.example.items()
            if k not in ("idempotency_key", "village_id")
        },
    )
    voucher_id: Id


@changes(load, voucher_scope)
def amend_draft(
    cmd: AmendDraft, actor: Actor, app: FinanceBase, voucher: Voucher
) -> dict[str, Any]:
    app.ledger(voucher.village_id).check_open(cmd.voucher_date)
    voucher.amend(cmd.voucher_date, cmd.content(app, voucher.village_id), actor.to_dict())
    return {"voucher_id": cmd.voucher_id, "status": voucher.status}


class VoucherCommand(Keyed):
    voucher_id: Id


class SubmitVoucher(VoucherCommand):
    """Submit a draft or returned voucher for review; the ledger keeps it as waiting, so its
    month cannot close under it (F26)."""

    title = "提交审核"
    example = keyed("voucher-0001-submit", voucher_id=VOUCHER)


@decides(voucher_scope)
def submit_voucher(cmd: SubmitVoucher, actor: Actor, app: FinanceBase) -> Any:
    voucher = app.voucher(cmd.voucher_id)
    ledger = app.ledger(voucher.village_id)
    ledger.check_open(voucher.voucher_date)
    voucher.submit(app.today(), actor.to_dict())
    ledger.note_submitted(str(voucher.id), voucher.voucher_date)
    return [voucher, ledger], {"voucher_id": cmd.voucher_id, "status": voucher.status}


class ReviewVoucher(VoucherCommand):
    """Review one stage of a submitted voucher as the stage's role (F22, F23): approve, or
    return it to the clerk with the reason."""

    title = "审核凭证"
    example = keyed(
        "voucher-0001-review-group",
        voucher_id=VOUCHER,
        stage="finance_group",
        outcome="approve",
        opinion="票据齐全，同意",
    )
    stage: Annotated[str, Choice(STAGES, "审核环节")]
    outcome: Annotated[str, Choice(("approve", "return"), "审核结果")]
    opinion: Annotated[str, Note(500, "审核意见")] = ""


@decides(voucher_scope)
def review_voucher(cmd: ReviewVoucher, actor: Actor, app: FinanceBase) -> Any:
    voucher = app.voucher(cmd.voucher_id)
    on = app.today()  # the review's day: who holds a 两委 post then
    check_reviewer(cmd.stage, actor.person_id, app.two_committees(voucher.village_id, on))
    reviewer = {"person_id": actor.person_id, "role": actor.role}
    approve = cmd.outcome == "approve"
    voucher.review(
        cmd.stage,
        approve,
        cmd.opinion,
        reviewer,
        app.settings.review_stages,
        on,
        actor.to_dict(),
        community_id=app.collective(voucher.village_id).community_id,
    )
    changed: list[Any] = [voucher]
    if not approve:
        ledger = app.ledger(voucher.village_id)
        ledger.note_returned(str(voucher.id))
        changed.append(ledger)
    return changed, {"voucher_id": cmd.voucher_id, "status": voucher.status}


class PostVoucher(VoucherCommand):
    """Post a voucher all four stages approved (记账, the agency's accountant): the ledger gives
    it the next number of its year (F25), today by the service's clock."""

    title = "记账"
    example = keyed("voucher-0001-post", voucher_id=VOUCHER)


@decides(voucher_scope)
def post_voucher(cmd: PostVoucher, actor: Actor, app: FinanceBase) -> Any:
    voucher = app.voucher(cmd.voucher_id)
    voucher.check_postable(app.settings.review_stages)
    ledger = app.ledger(voucher.village_id)
    number = ledger.assign_number(str(voucher.id), voucher.voucher_date, actor.to_dict())
    community_id = app.collective(voucher.village_id).community_id
    voucher.post(number, app.today(), actor.to_dict(), community_id)
    immediate = immediate_disclosure(app, voucher, actor)
    answer = {"voucher_id": cmd.voucher_id, "number": number}
    if immediate is None:
        return [voucher, ledger], answer
    return [voucher, ledger, immediate], {**answer, "immediate_disclosure_id": str(immediate.id)}


def immediate_disclosure(app: FinanceBase, voucher: Voucher, actor: Actor) -> Disclosure | None:
    """D3: a posted voucher with a line strictly over ``immediate_over_fen`` is disclosed at
    once, due ``immediate_days`` after posting: prepared now with the voucher's large lines."""
    over = app.settings.immediate_over_fen
    large = [x for x in voucher.lines if x["amount_fen"] > over]
    if not large or voucher.posted_on is None:
        return None
    chart = chart_on(voucher.voucher_date)
    content = {
        "village": app.collective(voucher.village_id).name,
        "period": voucher.number,
        "threshold_fen": over,
        "rows": [
            {
                "date": voucher.voucher_date,
                "number": voucher.number,
                "summary": x.get("memo") or voucher.summary,
                "account": x["account"],
                "name": chart.accounts[x["account"]].name if chart else x["account"],
                "side": x["side"],
                "amount_fen": -x["amount_fen"] if x["red"] else x["amount_fen"],
            }
            for x in large
        ],
    }
    due = dt.date.fromisoformat(voucher.posted_on) + dt.timedelta(days=app.settings.immediate_days)
    return Disclosure(
        village_id=voucher.village_id,
        kind="immediate",
        period=str(voucher.number),
        content=content,
        content_sha256=digest(content),
        due_on=app.due(due.isoformat()),
        prepared_on=voucher.posted_on,
        actor=actor.to_dict(),
    )


class VoidDraft(VoucherCommand):
    """Void a draft or returned voucher (作废): it never had a number and takes none."""

    title = "作废凭证"
    example = keyed("voucher-0001-void", voucher_id=VOUCHER, reason="重复填制")
    reason: Annotated[str, Text(200, "作废原因")]


@changes(load, voucher_scope)
def void_draft(cmd: VoidDraft, actor: Actor, app: FinanceBase, voucher: Voucher) -> dict[str, Any]:
    voucher.void(cmd.reason, actor.to_dict())
    return {"voucher_id": cmd.voucher_id, "status": voucher.status}


class VoucherQuery(Command):
    """One voucher: its content, number, status and review trail (who, stage, when, opinion)."""

    title = "查询凭证"
    example: ClassVar[dict[str, Any]] = {"voucher_id": VOUCHER}
    voucher_id: Id


# what the query shows of a voucher
SHOWN = "village_id voucher_date status number posted_on summary kind corrects lines trail"
SHOWN += " handler_id witness_id attachments decision_id"


def voucher(cmd: VoucherQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    found = app.voucher(cmd.voucher_id)
    return app.shown("voucher", actor, found, SHOWN, voucher_id=cmd.voucher_id)


class VouchersQuery(Command):
    """A village's vouchers of one month, in date order, with status and number."""

    title = "凭证列表"
    example: ClassVar[dict[str, Any]] = MONTH
    village_id: Id
    period: Period
    status: (
        Annotated[str, Choice(("draft", "submitted", "returned", "posted", "voided"), "状态")]
        | None
    ) = None


def vouchers(cmd: VouchersQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("vouchers", actor, app.village_target(cmd.village_id))
    v = t.vouchers
    query = select(v).where(v.c.village_id == cmd.village_id, v.c.period == cmd.period)
    if cmd.status:
        query = query.where(v.c.status == cmd.status)
    with app.read() as c:
        rows = c.execute(query.order_by(v.c.voucher_date, v.c.number, v.c.id)).mappings().all()
    return {
        "village_id": cmd.village_id,
        "period": cmd.period,
        "vouchers": [
            {
                k: r[k]
                for k in ("id", "voucher_date", "number", "status", "summary", "kind", "total_fen")
            }
            for r in rows
        ],
    }


POST = "post"  # the step after the last stage: the agency's accountant posts (记账)
POSTERS = ("agency_accountant", "system")


class ReviewQueueQuery(Command):
    """The submitted vouchers awaiting a review stage (or posting, ``post``), oldest first, each
    with the stage it awaits and whether the asking person may take it (F23: never the
    handler, one stage each). Without ``stage``: the stages the asker's role takes (the
    agency's accountant also posting); a role that takes none sees every waiting voucher.
    Without ``village_id``: the asker's village, or every village for a role over all."""

    title = "待我审核的凭证"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE, "stage": "finance_group"}
    village_id: Id | None = None
    stage: Annotated[str, Choice((*STAGES, POST), "审核环节")] | None = None


def review_queue(cmd: ReviewQueueQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    villages = villages_read("review_queue", actor, app, cmd.village_id)
    order = app.settings.review_stages
    wanted = {cmd.stage} if cmd.stage else mine(actor.role, order)
    v = t.vouchers
    query = select(v.c.id).where(v.c.status == "submitted")
    if villages is not None:
        query = query.where(v.c.village_id.in_(villages))
    with app.read() as c:
        ids = c.execute(query.order_by(v.c.voucher_date, v.c.id)).scalars().all()
    waiting = []
    for voucher_id in ids:
        found = app.voucher(voucher_id)
        stage = next((s for s in order if s not in found.approved), POST)
        if wanted and stage not in wanted:
            continue
        waiting.append(
            {
                "voucher_id": voucher_id,
                "village_id": found.village_id,
                "voucher_date": found.voucher_date,
                "summary": found.summary,
                "total_fen": sum(x["amount_fen"] for x in found.lines if x["side"] == "debit"),
                "stage": stage,
                "approved": found.approved,
                "may_take": may_take(actor, found, stage),
            }
        )
    return {"stages": sorted(wanted), "vouchers": waiting}


def may_take(actor: Actor, voucher: Voucher, stage: str) -> bool:
    """Whether the asker may take the step: posting is the agency's accountant's (who may have
    reviewed it); a stage needs its role, never the handler, and one stage a person (F23)."""
    if stage == POST:
        return actor.role in POSTERS
    took = {r["person_id"] for r in voucher.trail if r.get("round") == voucher.round}
    mine = {actor.person_id} - took - {voucher.handler_id}
    return bool(mine) and STAGES[stage][0] == actor.role


def mine(role: str, order: list[str] | tuple[str, ...]) -> set[str]:
    """The steps a role takes: its review stages, and posting for the agency's accountant."""
    stages = {s for s in order if STAGES[s][0] == role}
    return stages | {POST} if role in POSTERS else stages


class VoucherOptionsQuery(VillageQuery):
    """What a village's voucher dated ``on`` may name (the voucher entry's pickers): the leaf
    accounts of the chart in force on that day (F21), by code, each with its name and class;
    and the counterparties registered in the village's books (F3), a person by family name
    only (D8)."""

    title = "凭证可选科目与往来"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE, "on": "2026-01-10"}
    on: Day


def voucher_options(cmd: VoucherOptionsQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("voucher_options", actor, app.village_target(cmd.village_id))
    chart = chart_on(cmd.on)
    accounts = [
        {"code": code, "name": a.name, "cls": a.cls}
        for code, a in sorted(chart.accounts.items() if chart else ())
        if chart and chart.is_leaf(code)
    ]
    cp = counterparties_table
    with app.read() as c:
        found = c.execute(
            select(cp.c.id, cp.c.kind, cp.c.name).where(cp.c.village_id == cmd.village_id)
        ).all()
    parties = [
        {
            "counterparty_id": r.id,
            "kind": r.kind,
            "name": mask_name(r.name) if r.kind == "person" else r.name,
        }
        for r in found
    ]
    parties.sort(key=lambda r: (r["name"], r["counterparty_id"]))
    return {
        "on": cmd.on,
        "chart": chart.id if chart else None,
        "title": chart.title if chart else "",
        "accounts": accounts,
        "counterparties": parties,
    }
