"""Use cases of objections (质询, D30–D33): a resident objects to their village's disclosure or
one of its lines (or staff take a villager's objection down); it is assigned, answered within
the answer days, recorded overdue once if not, and may then go to the township.

The rules live in ``finance.domain.objection``; the daily sweep (``finance.overdue``) records
the overdue ones."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Choice, Command, Id, Keyed, Note, Text, keyed
from shequ.errors import NotFound, ValidationError
from shequ.handlers import changes, decides
from sqlalchemy import select

from finance import tables as t
from finance.base import FinanceBase, attributes
from finance.disclosures import DISCLOSURE
from finance.domain import Household, Objection
from finance.domain.common import key_id
from finance.domain.objection import CHANNELS, answer_due
from finance.examples import HOUSEHOLD, OBJECTION, VILLAGE
from finance.ledgers import villages_read


class FileObjection(Keyed):
    """File an objection to a published disclosure, or to one of its lines (``line``: the
    category and row, e.g. ``expense:2``), for a household of the disclosure's village: a
    resident for their own; staff for the villager whose household they name."""

    title = "提出质询"
    example = keyed(
        "objection-2026Q1-0001",
        disclosure_id=DISCLOSURE,
        household_id=HOUSEHOLD,
        line="expense:1",
        text="村道修补的费用明细请予说明（示例）",
        channel="board",
    )
    disclosure_id: Id
    household_id: Id
    line: Annotated[str, Text(30, "质询的行（类别:行号）")] | None = None
    text: Annotated[str, Text(500, "质询内容")]
    channel: Annotated[str, Choice(CHANNELS, "提出方式")] = "board"


def household_in_village(app: FinanceBase, village_id: str, household_id: str | None) -> Target:
    """Scope of an objection: the village's books, and the household it is for."""
    village = app.village_target(village_id)
    return Target(
        community_id=village.community_id, village_id=village_id, household_id=household_id
    )


def objection_scope(cmd: FileObjection, app: FinanceBase) -> Target:
    return household_in_village(app, app.disclosure(cmd.disclosure_id).village_id, cmd.household_id)


@decides(objection_scope)
def file_objection(cmd: FileObjection, actor: Actor, app: FinanceBase) -> Any:
    disclosure = app.disclosure(cmd.disclosure_id)
    if disclosure.published_on is None:
        raise ValidationError(
            "只能对已发布的财务公开提出质询",
            "only a published disclosure can be objected to",
            "disclosure_id",
            rule="disclosure.unpublished",
        )
    household = app.find(Household.create_id(cmd.household_id))
    if household is None or household.village_id != disclosure.village_id:
        raise ValidationError(
            "该户不属于此公开所在的村",
            "the household is not in the disclosure's village",
            "household_id",
            rule="household.village",
        )
    today = app.today()
    objection = Objection(
        id=key_id("objection", cmd.idempotency_key),
        disclosure_id=cmd.disclosure_id,
        village_id=disclosure.village_id,
        community_id=app.collective(disclosure.village_id).community_id,
        household_id=cmd.household_id,
        line=cmd.line,
        text=cmd.text,
        channel=cmd.channel,
        filed_on=today,
        due_on=app.due(answer_due(today, app.settings.answer_days)),
        actor=actor.to_dict(),
    )
    return [objection], {"objection_id": str(objection.id), "due_on": objection.due_on}


def load(cmd: Any, app: FinanceBase) -> Objection:
    return app.objection(cmd.objection_id)


def village_of_objection(cmd: Any, app: FinanceBase) -> Target:
    found = app.objection(cmd.objection_id)
    return household_in_village(app, found.village_id, found.household_id)


class ObjectionCommand(Keyed):
    objection_id: Id


class AnswerObjection(ObjectionCommand):
    """Answer an objection (the finance group, the village head or the agency): the answer is
    shown beside the line; it may cite the correction voucher it led to (D33)."""

    title = "答复质询"
    example = keyed(
        "objection-0001-answer",
        objection_id=OBJECTION,
        answer="村道修补共用工15个、材料费4,500元，明细已张贴（示例）",
    )
    answer: Annotated[str, Text(1000, "答复内容")]
    correction_voucher_id: Id | None = None


@changes(load, village_of_objection)
def answer_objection(
    cmd: AnswerObjection, actor: Actor, app: FinanceBase, objection: Objection
) -> dict[str, Any]:
    if cmd.correction_voucher_id:
        correction = app.voucher(cmd.correction_voucher_id)
        if correction.village_id != objection.village_id or correction.kind == "normal":
            raise ValidationError(
                "引用的须是本村的更正凭证",
                "the voucher cited is a correction of the same village",
                "correction_voucher_id",
                rule="objection.correction",
            )
    objection.reply(cmd.answer, cmd.correction_voucher_id, app.today(), actor.to_dict())
    on_time = objection.answered_on is not None and objection.answered_on <= objection.due_on
    return {"objection_id": cmd.objection_id, "on_time": on_time}


class AssignObjection(ObjectionCommand):
    """Give an objection to the person who will answer it."""

    title = "分派质询"
    example = keyed("objection-0001-assign", objection_id=OBJECTION, assignee_id=HOUSEHOLD)
    assignee_id: Id


@changes(load, village_of_objection)
def assign_objection(
    cmd: AssignObjection, actor: Actor, app: FinanceBase, objection: Objection
) -> dict[str, Any]:
    objection.assign(cmd.assignee_id, actor.to_dict())
    return {"objection_id": cmd.objection_id, "assignee_id": cmd.assignee_id}


class EscalateObjection(ObjectionCommand):
    """Take an objection past its due date unanswered to the township (村民委员会组织法 Art. 31):
    it is due again within the answer days."""

    title = "提请乡镇处理"
    example = keyed("objection-0001-escalate", objection_id=OBJECTION, reason="逾期未答复（示例）")
    reason: Annotated[str, Note(500, "提请理由")] = ""


@changes(load, village_of_objection)
def escalate_objection(
    cmd: EscalateObjection, actor: Actor, app: FinanceBase, objection: Objection
) -> dict[str, Any]:
    today = app.today()
    objection.escalate(today, app.due(answer_due(today, app.settings.answer_days)), actor.to_dict())
    return {"objection_id": cmd.objection_id, "due_on": objection.due_on}


class ObjectionQuery(Command):
    """One objection: what was asked about which line, when it is due, its answer."""

    title = "查询质询"
    example: ClassVar[dict[str, Any]] = {"objection_id": OBJECTION}
    objection_id: Id


# what the query shows of an objection (never who filed it: a resident's name is not shown)
SHOWN = "disclosure_id village_id line text status due_on answer answered_on correction_voucher_id"


def objection(cmd: ObjectionQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("objection", actor, village_of_objection(cmd, app))
    found = app.objection(cmd.objection_id)
    return {"objection_id": cmd.objection_id, **attributes(found, SHOWN.split())}


class ObjectionsDueQuery(Command):
    """The objections still unanswered, soonest due first (of a village, or without
    ``village_id`` the asker's village, or every village for a role over all): what was asked
    about which line, when it is due, whether it is overdue today and was escalated. Never who
    filed it."""

    title = "待答复的质询"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE}
    village_id: Id | None = None


def objections_due(cmd: ObjectionsDueQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    villages = villages_read("objections_due", actor, app, cmd.village_id)
    o = t.objections
    query = select(o.c.id).where(o.c.answered_on.is_(None))
    if villages is not None:
        query = query.where(o.c.village_id.in_(villages))
    with app.read() as c:
        ids = c.execute(query.order_by(o.c.due_on, o.c.id)).scalars().all()
    today = app.today()
    due = []
    for objection_id in ids:
        found = app.objection(objection_id)
        shown = attributes(
            found, ["disclosure_id", "village_id", "line", "text", "status", "due_on"]
        )
        due.append({"objection_id": objection_id, **shown, "overdue": found.due_on < today})
    return {"today": today, "objections": due}


class HouseholdObjectionsQuery(Command):
    """The objections filed for one household, latest due first (a resident's "my
    objections"): the disclosure and line each is about, the question, its status, its due
    date, the answer and whether it came on time; and the household's village (for its
    board). A resident reads their own household's only."""

    title = "本户的质询"
    example: ClassVar[dict[str, Any]] = {"household_id": HOUSEHOLD}
    household_id: Id


def household_objections(
    cmd: HouseholdObjectionsQuery, actor: Actor, app: FinanceBase
) -> dict[str, Any]:
    household = app.find(Household.create_id(cmd.household_id))
    village_id = household.village_id if household is not None else None
    where = (
        household_in_village(app, village_id, cmd.household_id)
        if village_id
        else Target(household_id=cmd.household_id)
    )
    app.policy.check("household_objections", actor, where)
    if village_id is None:
        raise NotFound("财务未登记该户", "finance knows no such household", "household_id")
    o = t.objections
    # the read model keeps no household: the village's objections, each loaded, are few
    query = select(o.c.id).where(o.c.village_id == village_id)
    with app.read() as c:
        ids = c.execute(query.order_by(o.c.due_on.desc(), o.c.id)).scalars().all()
    today = app.today()
    shown = [*SHOWN.split(), "filed_on"]
    rows = []
    for objection_id in ids:
        found = app.objection(objection_id)
        if found.household_id != cmd.household_id:
            continue
        answered = found.answered_on
        rows.append(
            {
                "objection_id": objection_id,
                **attributes(found, shown),
                "period": app.disclosure(found.disclosure_id).period,
                "overdue": answered is None and found.due_on < today,
                "on_time": None if answered is None else answered <= found.due_on,
            }
        )
    return {
        "household_id": cmd.household_id,
        "village_id": village_id,
        "today": today,
        "objections": rows,
    }
