"""Use cases of a case (案件), from receipt to closure: open, accept or refuse, assign and route,
handle (start, pause, resume, extend), resolve and answer, the resident's rating, confirmation
and reopening, closure; material, co-handlers, recusal, merging duplicates.

Each use case is a command model and a handler ``(cmd, actor, app)``: it loads the case, asks it
to decide (the rules live in ``casework.domain.case``) and saves through ``app.run`` (most via
``app.change_case``), once per idempotency key."""

from __future__ import annotations

from typing import Annotated, Any

from eventsourcing.application import AggregateNotFoundError
from pydantic import Field
from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Check, Choice, Count, Day, Flag, Id, Keyed, Note, Text, keyed
from shequ.errors import ValidationError
from shequ.validation import check_characters, check_phone

from casework.changes import CaseCommand, case_example, changes_case
from casework.domain import Case, Mediation, VillageDecision
from casework.domain.common import Fact, key_id, violation
from casework.domain.vocabulary import CASE_TYPES, CATEGORIES, CHANNELS, GROUPS, OUTCOMES, REFUSALS
from casework.fields import OptionalReason, Reason
from casework.intake import Intake
from casework.petitions import Petition, Reply, facts_key, petition_record, refuse_same_facts

CASE = "5b2d7c1e-0000-5000-8000-000000000001"
OTHER_CASE = "5b2d7c1e-0000-5000-8000-000000000006"
PERSON = "5b2d7c1e-0000-5000-8000-000000000002"
HOUSEHOLD = "5b2d7c1e-0000-5000-8000-000000000009"


def _phone_or_blank(value: Any, field: str) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise ValidationError("须为文本", f"{field} must be text", field, rule="type.text")
    check_characters(value, field)
    return check_phone(value, field)


PhoneOrBlank = Annotated[
    str,
    Check(_phone_or_blank, {"type": "string", "pattern": r"^(|1[3-9]\d{9}|0\d{2,3}-\d{7,8})$"}),
]
"""A mainland mobile or landline number, or nothing."""


# -- intake ------------------------------------------------------------------------------------
class OpenCase(Keyed):
    """Receive a case (登记): where it belongs, who asks, what about."""

    title = "登记案件"
    example = keyed(
        "case-2026-0001",
        case_type="demand",
        category="water_supply",
        channel="walk_in",
        title="自来水停水三天",
        household_id=HOUSEHOLD,
        resident_name="王示例",
        resident_phone="13812345678",
    )
    case_type: Annotated[str, Choice(CASE_TYPES, "案件类型")]
    category: Annotated[str, Choice(CATEGORIES, "类别")]
    channel: Annotated[str, Choice(CHANNELS, "渠道")]
    title_: Annotated[str, Text(200, "标题"), Field(alias="title")]
    community_id: Id | None = None
    village_id: Id | None = None
    household_id: Id | None = None
    description: Annotated[str, Note(4000, "内容")] = ""
    place: Annotated[str, Note(200, "地点")] = ""
    resident_name: Annotated[str, Note(50, "姓名")] = ""
    resident_phone: PhoneOrBlank = ""
    petition: Petition | None = None
    reported_person_ids: list[Id] | None = None
    received_on: Day | None = None
    publish_description: Flag = False


def open_case(cmd: OpenCase, actor: Actor, app: Intake) -> dict[str, Any]:
    """Receive a case (登记): where it belongs, who asks, what about; flags duplicates.
    ``received_on`` is the day it reached us (a paper petition typed in later; default
    today): the acceptance deadline counts from it. ``publish_description``: the resident
    agreed that the description may be shown to the public (``public_cases``)."""
    received = app.fact_date(cmd.received_on, "received_on")
    p: dict[str, Any] = {
        "case_type": cmd.case_type,
        "category": cmd.category,
        "channel": cmd.channel,
        "title": cmd.title_,
        "description": cmd.description,
        "place": cmd.place,
        "resident": {
            "name": cmd.resident_name,
            "phone": cmd.resident_phone,
            # the resident agreed that their words may be shown to the public (Open311)
            **({"publish_description": "yes"} if cmd.publish_description else {}),
        },
        "reported_person_ids": sorted(set(cmd.reported_person_ids or [])),
        "petition": None,
        "received_on": cmd.received_on,
    }
    if cmd.case_type == "petition":
        if cmd.petition is None:
            raise ValidationError(
                "信访事项须填写信访人及请求、事实和理由",
                "petition details are required",
                "petition",
                rule="petition.required",
            )
        p["petition"] = petition_record(cmd.petition, app.settings.max_group_representatives)
    rows = app.directory()  # the registry's facts, as stored before this command
    p["community_id"], p["village_id"], p["household_id"] = app.place_of(
        rows, cmd.community_id, cmd.village_id, cmd.household_id
    )
    members = app.team_member_ids(p["community_id"], rows)
    team_id = app.community_of(p["community_id"], rows)["team_id"]
    if p["petition"]:
        p["petition"]["facts_key"] = facts_key(p["petition"]["facts"])
        p["petition"]["petitioner_key"] = p["household_id"] or p["petition"]["petitioner_name"]
        with app.read() as c:
            refuse_same_facts(c, p["petition"]["facts_key"], p["petition"]["petitioner_key"])
    target = Target(
        community_id=p["community_id"],
        household_id=p["household_id"],
        assigned_to=frozenset(members),
    )

    def decide() -> Any:
        keys = app.intake_keys(p["community_id"], p["category"], p["household_id"], p["place"])
        p["duplicate_of"] = app.duplicate_of(keys)
        case = app.build_case(
            key_id("case", cmd.idempotency_key),
            {**p, "team_id": team_id, "received_on": received},
            actor.to_dict(),
        )
        for k in keys:
            k.note(str(case.id), case.received_on)
        return [case, *keys], {
            "case_id": str(case.id),
            "work_group": case.work_group,
            "due_on": case.due_on,
            "duplicate_of": p["duplicate_of"],
        }

    with app.same_matter(p["community_id"], p["category"], p["household_id"], p["place"]):
        return app.run(  # type: ignore[no-any-return]
            "open_case", cmd.idempotency_key, actor, target, p, decide
        )


class AcceptCase(CaseCommand):
    """Accept a case (受理) and route it."""

    title = "受理案件"
    example = case_example("accept", CASE, owner_id=PERSON)
    owner_id: Id | None = None
    accepted_on: Day | None = None


@changes_case("accepted_on")
def accept_case(app: Intake, cmd: AcceptCase, case: Case, f: Fact) -> None:
    """Accept (受理) and route to the named owner or the work group's next member.
    ``accepted_on`` is the day it was accepted (default today; not before it was
    received): the handling deadline counts from it."""
    app.accept_and_route(case, cmd.owner_id, f.actor, on=f.on)


class RefuseCase(CaseCommand):
    """Refuse a case with a reason."""

    title = "不予受理"
    example = case_example(
        "refuse", CASE, reason_code="out_of_scope", reason="属于司法程序处理事项"
    )
    reason_code: Annotated[str, Choice(REFUSALS, "不予受理理由")]
    reason: Annotated[str, Text(1000, "理由")]
    refused_on: Day | None = None


@changes_case("refused_on")
def refuse_case(app: Intake, cmd: RefuseCase, case: Case, f: Fact) -> None:
    """Refuse with a reason; a petition's objection of non-competence within 5 working
    days of receipt. ``refused_on`` is the day it was decided (default today)."""
    case.refuse(f, cmd.reason_code, cmd.reason)


class AssignCase(CaseCommand):
    """Assign or reassign a case."""

    title = "分派案件"
    example = case_example("assign", CASE, work_group="welfare", reason="转公益事业组")
    owner_id: Id | None = None
    work_group: Annotated[str, Choice(GROUPS, "工作组")] | None = None
    reason: OptionalReason = ""
    assigned_on: Day | None = None


@changes_case("assigned_on")
def assign_case(app: Intake, cmd: AssignCase, case: Case, f: Fact) -> None:
    """Assign or reassign (with a reason) to a named owner, or route within a group.
    ``assigned_on`` is the day it was handed over (default today)."""
    group = cmd.work_group or case.work_group
    owner = cmd.owner_id
    if owner is None:
        previous = [case.owner_id] if case.owner_id else []
        _team, owner = app.route(
            case.community_id,
            group,
            exclude=[*case.reported, *case.recused, *previous],
            case_id=str(case.id),
        )
    if owner is None:
        raise violation(
            "routing.no_member",
            f"{GROUPS[group]}没有可承办的成员",
            f"the {group} group has no member to take the case",
            "work_group",
        )
    if cmd.owner_id is not None:
        group = app.team_group(case.community_id, owner)
    case.assign(f, str(owner), group, cmd.reason)


class AddCoHandler(CaseCommand):
    """Bring in a co-handler (协办人)."""

    title = "增加协办人"
    example = case_example("co", CASE, person_id=PERSON)
    person_id: Id


@changes_case()
def add_co_handler(app: Intake, cmd: AddCoHandler, case: Case, f: Fact) -> None:
    """Bring in a co-handler (协办人) from another work group of the team."""
    group = app.member_group(case.community_id, cmd.person_id)
    if group is None:
        raise violation(
            "routing.not_team_member",
            "此人不是本社区服务队成员",
            "the person is not in the community's service team",
            "person_id",
        )
    case.add_co_handler(cmd.person_id, group, f.actor)


class MergeCases(CaseCommand):
    """Merge a duplicate into another open case."""

    title = "合并重复案件"
    example = case_example("merge", CASE, into_case_id=OTHER_CASE, reason="同一户同一事项")
    into_case_id: Id
    reason: Annotated[str, Text(500, "合并原因")]


def merge_cases(cmd: MergeCases, actor: Actor, app: Intake) -> dict[str, Any]:
    """Merge a duplicate into another open case; both keep their histories."""
    into = cmd.into_case_id
    target = app.get(into, Case, "案件", "into_case_id")
    app.guard(actor, target)

    def act(case: Case) -> None:
        case.merge_into(into, app.today(), cmd.reason, actor.to_dict())

    def absorb(case: Case) -> list[Any]:
        fresh = app.get(into, Case, "案件", "into_case_id")
        fresh.absorb(str(case.id), app.today(), actor.to_dict())
        return [fresh]

    app.policy.check("merge_cases", actor, app.case_target(target))
    return app.change_case("merge_cases", cmd, actor, act, absorb)


# -- handling ----------------------------------------------------------------------------------
class StartCase(CaseCommand):
    """The owner starts handling."""

    title = "开始办理"
    example = case_example("start", CASE)
    started_on: Day | None = None


@changes_case("started_on")
def start_case(app: Intake, cmd: StartCase, case: Case, f: Fact) -> None:
    """The owner starts handling (办理中); ``started_on`` is the day they began (default
    today; not before the case was accepted or reopened)."""
    case.start(f)


class PauseCase(CaseCommand):
    """Stop the clock."""

    title = "暂停计时"
    example = case_example("pause", CASE, reason="等待鉴定结果")
    reason: Annotated[str, Text(500, "原因")]


@changes_case()
def pause_case(app: Intake, cmd: PauseCase, case: Case, f: Fact) -> None:
    """Stop the clock (waiting for the resident, an appraisal, another body)."""
    case.pause(f.on, cmd.reason, f.actor)


class ResumeCase(CaseCommand):
    """Restart the clock."""

    title = "恢复计时"
    example = case_example("resume", CASE)


@changes_case()
def resume_case(app: Intake, cmd: ResumeCase, case: Case, f: Fact) -> None:
    """Restart the clock; the due date moves on by the paused days (in the period's unit)."""
    period = app.settings.handling_period(case.case_type, case.category)
    due = case.due_on or f.on
    if case.paused_since is not None:
        due = app.calendar.shift_for_pause(due, case.paused_since, f.on, period.unit)
    case.resume(f.on, due, f.actor)


class ExtendDeadline(CaseCommand):
    """Extend the handling deadline once."""

    title = "延期办理"
    example = case_example("extend", CASE, days=10, reason="需协调供水公司", approved_by="社区主任")
    days: Annotated[int, Count(1, 365, "延期天数")]
    reason: Annotated[str, Text(1000, "延期理由")]
    approved_by: Annotated[str, Text(100, "批准人")]
    approved_on: Day | None = None


@changes_case("approved_on")
def extend_deadline(app: Intake, cmd: ExtendDeadline, case: Case, f: Fact) -> None:
    """Extend once, within the limit, approved (on ``approved_on``, default today), the
    reason sent to the resident (a petition: at most 30 days, 信访工作条例 Art. 36)."""
    unit = app.settings.handling_period(case.case_type, case.category).unit
    due = app.calendar.add(case.due_on or f.on, cmd.days, unit)
    limits = app.settings.extension_limits(case.case_type)
    case.extend(f, cmd.days, due, cmd.reason, cmd.approved_by, limits, True)


class AddMaterial(CaseCommand):
    """Add material to a case."""

    title = "添加材料"
    example = case_example("material", CASE, title="现场照片说明", content="停水点位于第一组水井")
    title_: Annotated[str, Text(200, "材料名称"), Field(alias="title")]
    content: Annotated[str, Text(20000, "材料内容")]
    protected: Flag = False


@changes_case()
def add_material(app: Intake, cmd: AddMaterial, case: Case, f: Fact) -> None:
    """Add material to a case; ``protected`` material (from someone reporting misconduct)
    is never shown to the person reported."""
    material_id = str(key_id("material", cmd.idempotency_key))
    case.add_material(material_id, cmd.title_, cmd.content, cmd.protected, f.on, f.actor)


class Recuse(CaseCommand):
    """A handler steps aside (回避)."""

    title = "回避"
    example = case_example("recuse", CASE, person_id=PERSON, reason="与当事人系近亲属")
    person_id: Id
    reason: Annotated[str, Text(500, "回避原因")]


@changes_case()
def recuse(app: Intake, cmd: Recuse, case: Case, f: Fact) -> None:
    """A handler with a conflict of interest steps aside (回避); an owner who steps aside
    leaves the case to be reassigned."""
    case.recuse(cmd.person_id, cmd.reason, f.on, f.actor)


# -- outcome -----------------------------------------------------------------------------------
class ResolveCase(CaseCommand):
    """Resolve a case with evidence."""

    title = "办结"
    example = case_example("resolve", CASE, evidence=["维修记录"])
    evidence: list[Annotated[str, Text(500, "证明材料")]]
    outcome: Annotated[str, Choice(OUTCOMES, "处理结论")] | None = None
    reply: Reply | None = None
    resolved_on: Day | None = None


def procedure_done(app: Intake, case: Case) -> None:
    """A dispute resolves once its mediation has concluded; a village decision once
    its result is published."""
    if case.case_type == "dispute":
        try:
            m: Mediation = app.repository.get(Mediation.create_id(str(case.id)))
        except AggregateNotFoundError:
            return
        if not m.concluded:
            raise violation(
                "dispute.mediation_open",
                "调解尚未结束，不能办结",
                "the mediation has not concluded",
                "case_id",
            )
    if case.case_type == "decision":
        try:
            d: VillageDecision | None = app.repository.get(VillageDecision.create_id(str(case.id)))
        except AggregateNotFoundError:
            d = None
        if d is None or d.state not in ("completed", "rejected"):
            raise violation(
                "decision.not_completed",
                "四议两公开程序未完成，不能办结",
                "the six steps are not complete",
                "case_id",
            )


@changes_case("resolved_on")
def resolve_case(app: Intake, cmd: ResolveCase, case: Case, f: Fact) -> None:
    """Resolve with evidence; a petition with its outcome and written reply.
    ``resolved_on`` is the day it was done (default today): on time or not by it."""
    procedure_done(app, case)
    reply = cmd.reply.model_dump() if cmd.reply else None
    case.resolve(f, list(cmd.evidence), cmd.outcome, reply)


class AnswerCase(CaseCommand):
    """Answer the resident (反馈)."""

    title = "答复居民"
    example = case_example("answer", CASE, text="已恢复供水")
    text: Annotated[str, Text(4000, "答复内容")]
    answered_on: Day | None = None


@changes_case("answered_on")
def answer_case(app: Intake, cmd: AnswerCase, case: Case, f: Fact) -> None:
    """Answer the resident (反馈); ``answered_on`` is the day they received it (default
    today): the reopening and (petitions) review windows count from it."""
    reopen = app.settings.reopen_within.due(app.calendar, f.on)
    review = (
        app.settings.petition_review_window.due(app.calendar, f.on)
        if case.case_type == "petition"
        else None
    )
    case.answer(f, cmd.text, reopen, review)


class RateCase(CaseCommand):
    """The resident rates the handling."""

    title = "居民评价"
    example = case_example("rate", CASE, rating=5)
    rating: Annotated[int, Count(1, 5, "评价")]
    comment: Annotated[str, Note(1000, "评价意见")] = ""
    rated_on: Day | None = None


@changes_case("rated_on")
def rate_case(app: Intake, cmd: RateCase, case: Case, f: Fact) -> None:
    """The resident rates the handling, 1 (worst) to 5 (best). ``rated_on`` is the day
    the rating was given (a paper form or a visit, typed in later; default today; not
    before the answer): assessment counts it in that day's period."""
    case.rate(f, cmd.rating, cmd.comment)


class ConfirmCase(CaseCommand):
    """The resident confirms the outcome."""

    title = "居民确认"
    example = case_example("confirm", CASE)


@changes_case()
def confirm_case(app: Intake, cmd: ConfirmCase, case: Case, f: Fact) -> None:
    case.confirm(f.on, f.actor)


class ReopenCase(CaseCommand):
    """The resident reopens the case."""

    title = "居民要求重办"
    example = case_example("reopen", CASE, reason="又停水了")
    reason: Reason
    reopened_on: Day | None = None


@changes_case("reopened_on")
def reopen_case(app: Intake, cmd: ReopenCase, case: Case, f: Fact) -> None:
    """The resident reopens the case within the window; it goes back to its owner.
    ``reopened_on`` is the day they asked (by phone, in person; default today): the
    window is checked and the handling time counts from it."""
    due = app.settings.handling_period(case.case_type, case.category).due(app.calendar, f.on)
    case.reopen(f, cmd.reason, due)


class CloseCase(CaseCommand):
    """Close a case."""

    title = "结案"
    example = case_example("close", CASE)


@changes_case()
def close_case(app: Intake, cmd: CloseCase, case: Case, f: Fact) -> None:
    """Close a confirmed case, or an answered one whose reopening window has passed."""
    case.close(f.on, f.actor)
