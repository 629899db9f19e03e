"""Use cases of people's mediation (人民调解, RULES §4) of a dispute case: start, the parties'
consent or refusal, the mediator, sessions, the agreement (drafted, signed, sealed), court
confirmation, failure or a party ending it, follow-up, referral to the police.

A mediation belongs to its case and is authorised as the case is; when it ends, its case moves
on in the same save (``CaseworkBase.change_procedure``). The rules live in
``casework.domain.mediation``."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.commands import Choice, Command, Day, Id, Keyed, Note, Text
from shequ.errors import ValidationError

from casework.base import CaseworkBase
from casework.domain import Case, Mediation
from casework.domain.common import not_before, violation
from casework.domain.mediation import INITIATIVES, ROUTES

CASE = "5b2d7c1e-0000-5000-8000-000000000003"
MEDIATOR = "5b2d7c1e-0000-5000-8000-000000000007"


class Party(Command):
    """A party to a dispute."""

    party_id: Annotated[str, Text(50, "当事人编号")]
    name: Annotated[str, Text(50, "当事人姓名")]


class StartMediation(Keyed):
    """Begin mediating a dispute."""

    title = "启动调解"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "mediation-2026-0001",
        "case_id": CASE,
        "initiative": "application",
        "parties": [{"party_id": "p1", "name": "张示例"}, {"party_id": "p2", "name": "李示例"}],
        "applicant_id": "p1",
    }
    case_id: Id
    initiative: Annotated[str, Choice(INITIATIVES, "调解启动方式")]
    parties: list[Party]
    applicant_id: Annotated[str, Text(50, "申请人")] | None = None
    started_on: Day | None = None


def _parties(parties: list[Party]) -> list[dict[str, str]]:
    if len(parties) < 2:
        raise ValidationError(
            "纠纷须有两方以上当事人",
            "a dispute has at least two parties",
            "parties",
            rule="mediation.parties",
        )
    seen: set[str] = set()
    for i, party in enumerate(parties):
        if party.party_id in seen:
            raise ValidationError(
                "当事人重复", "a party is listed twice", f"parties.{i}", rule="duplicate"
            )
        seen.add(party.party_id)
    return [party.model_dump() for party in parties]


def start_mediation(cmd: StartMediation, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """Begin mediating a dispute, on a party's application or the committee's initiative;
    ``started_on`` is the day it began (default today): the month counts from it."""
    parties = _parties(cmd.parties)
    day = app.fact_date(cmd.started_on, "started_on")
    if cmd.initiative == "application" and cmd.applicant_id not in [p["party_id"] for p in parties]:
        raise ValidationError(
            "申请调解的须是当事人之一",
            "the applicant must be a party",
            "applicant_id",
            rule="mediation.applicant",
        )

    def load(case_id: str) -> Mediation:
        case = app.get(case_id, Case, "案件", "case_id")
        if case.case_type != "dispute" or not case.is_open:
            raise violation(
                "mediation.dispute_only",
                "只有在办的矛盾纠纷案件可以调解",
                "only an open dispute case is mediated",
                "case_id",
            )
        if app.exists(Mediation.create_id(case_id)):
            raise violation(
                "mediation.exists", "该纠纷已有调解", "already being mediated", "case_id"
            )
        not_before(
            day, case.received_on, "started_on", "登记收到之日", "the day the case was received"
        )
        return Mediation(
            id=Mediation.create_id(case_id),  # type: ignore[call-arg]
            case_id=case_id,
            community_id=case.community_id,
            initiative=cmd.initiative,
            parties=parties,
            applicant_id=cmd.applicant_id if cmd.initiative == "application" else None,
            started_on=day,
            due_on=app.settings.mediation_within.due(app.calendar, day),
            actor=actor.to_dict(),
        )

    return app.change_procedure("start_mediation", cmd, actor, load, lambda m: None)


class ConsentToMediation(Keyed):
    """A party agrees to be mediated."""

    title = "当事人同意调解"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "consent-2026-0001",
        "case_id": CASE,
        "party_id": "p1",
    }
    case_id: Id
    party_id: Annotated[str, Text(50, "当事人")]


def consent_to_mediation(
    cmd: ConsentToMediation, actor: Actor, app: CaseworkBase
) -> dict[str, Any]:
    """A party agrees to be mediated."""
    return app.change_procedure(
        "consent_to_mediation",
        cmd,
        actor,
        app.mediation,
        lambda m: m.consent(cmd.party_id, app.today(), actor.to_dict()),
    )


class RefuseMediation(Keyed):
    """A party refuses mediation."""

    title = "当事人拒绝调解"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "refuse-mediation-2026-0001",
        "case_id": CASE,
        "party_id": "p2",
        "reason": "愿意直接起诉",
    }
    case_id: Id
    party_id: Annotated[str, Text(50, "当事人")]
    reason: Annotated[str, Note(500, "原因")] = ""
    refused_on: Day | None = None


def refuse_mediation(cmd: RefuseMediation, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """A party refuses: there is no mediation (人民调解法 Art. 17); ``refused_on`` is the
    day they refused (default today), the day the case is resolved."""
    day = app.fact_date(cmd.refused_on, "refused_on")
    return app.change_procedure(
        "refuse_mediation",
        cmd,
        actor,
        app.mediation,
        lambda m: m.refuse(cmd.party_id, cmd.reason, day, actor.to_dict(), app.recorded_at()),
    )


class ChooseMediator(Keyed):
    """A mediator is chosen."""

    title = "选定调解员"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "mediator-2026-0001",
        "case_id": CASE,
        "person_id": MEDIATOR,
    }
    case_id: Id
    person_id: Id
    chosen_by: Annotated[str, Text(50, "选定方")] = "committee"


def choose_mediator(cmd: ChooseMediator, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """A mediator is chosen (by a party, or named by the committee)."""
    return app.change_procedure(
        "choose_mediator",
        cmd,
        actor,
        app.mediation,
        lambda m: m.choose_mediator(cmd.person_id, cmd.chosen_by, app.today(), actor.to_dict()),
    )


class RejectMediator(Keyed):
    """A party rejects a mediator."""

    title = "当事人要求调解员回避"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "reject-mediator-2026-0001",
        "case_id": CASE,
        "person_id": MEDIATOR,
        "party_id": "p2",
        "reason": "有亲属关系",
    }
    case_id: Id
    person_id: Id
    party_id: Annotated[str, Text(50, "当事人")]
    reason: Annotated[str, Note(500, "原因")] = ""


def reject_mediator(cmd: RejectMediator, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """A party rejects a mediator (人民调解法 Art. 23)."""
    return app.change_procedure(
        "reject_mediator",
        cmd,
        actor,
        app.mediation,
        lambda m: m.reject_mediator(
            cmd.person_id, cmd.party_id, cmd.reason, app.today(), actor.to_dict()
        ),
    )


class RecordMediationSession(Keyed):
    """Record a mediation session (调解笔录)."""

    title = "记录调解"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "session-2026-0001",
        "case_id": CASE,
        "place": "村委会调解室",
        "summary": "双方陈述，调解员释法",
    }
    case_id: Id
    place: Annotated[str, Text(200, "地点")]
    summary: Annotated[str, Text(8000, "调解记录")]
    held_on: Day | None = None


def record_mediation_session(
    cmd: RecordMediationSession, actor: Actor, app: CaseworkBase
) -> dict[str, Any]:
    """Record a mediation session (调解笔录) held on ``held_on`` (default today)."""
    day = app.fact_date(cmd.held_on, "held_on")
    return app.change_procedure(
        "record_mediation_session",
        cmd,
        actor,
        app.mediation,
        lambda m: m.record_session(day, cmd.place, cmd.summary, actor.to_dict(), app.recorded_at()),
    )


class DraftAgreement(Keyed):
    """Write the mediation agreement (调解协议书)."""

    title = "制作调解协议书"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "agreement-2026-0001",
        "case_id": CASE,
        "agreement": {
            "facts": "两户宅基地边界争议",
            "issues": "界桩位置",
            "responsibilities": "双方各半",
            "terms": "以原界桩为准",
            "performance": "即日履行",
        },
    }
    case_id: Id
    agreement: dict[str, Annotated[str, Note(4000, "协议内容")]]


def draft_agreement(cmd: DraftAgreement, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """Write the mediation agreement (调解协议书) with its required contents."""
    return app.change_procedure(
        "draft_agreement",
        cmd,
        actor,
        app.mediation,
        lambda m: m.draft_agreement(dict(cmd.agreement), app.today(), actor.to_dict()),
    )


class SignAgreement(Keyed):
    """A party or the mediator signs the agreement."""

    title = "签署调解协议"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "sign-2026-0001",
        "case_id": CASE,
        "signer_id": "p1",
    }
    case_id: Id
    signer_id: Annotated[str, Text(50, "签名人")]


def sign_agreement(cmd: SignAgreement, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """A party or the mediator signs the agreement."""
    return app.change_procedure(
        "sign_agreement",
        cmd,
        actor,
        app.mediation,
        lambda m: m.sign(cmd.signer_id, app.today(), actor.to_dict()),
    )


class SealAgreement(Keyed):
    """The committee seals the agreement."""

    title = "调解委员会盖章"
    example: ClassVar[dict[str, Any]] = {"idempotency_key": "seal-2026-0001", "case_id": CASE}
    case_id: Id
    sealed_on: Day | None = None


def seal_agreement(cmd: SealAgreement, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """The committee seals: the agreement takes effect on ``sealed_on`` (default today)
    and the dispute case is resolved with it; 30 days for court confirmation."""
    day = app.fact_date(cmd.sealed_on, "sealed_on")

    def act(m: Mediation) -> None:
        due = app.settings.confirmation_within.due(app.calendar, day)
        m.seal(day, due, actor.to_dict(), app.recorded_at())

    return app.change_procedure("seal_agreement", cmd, actor, app.mediation, act)


class ApplyForConfirmation(Keyed):
    """The parties apply for judicial confirmation (司法确认)."""

    title = "申请司法确认"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "confirmation-2026-0001",
        "case_id": CASE,
        "court": "胶河经济区人民法院",
    }
    case_id: Id
    court: Annotated[str, Text(100, "人民法院")]
    applied_on: Day | None = None


def apply_for_confirmation(
    cmd: ApplyForConfirmation, actor: Actor, app: CaseworkBase
) -> dict[str, Any]:
    """The parties apply to a court for judicial confirmation (司法确认) on
    ``applied_on`` (default today), within 30 days of the agreement taking effect."""
    day = app.fact_date(cmd.applied_on, "applied_on")
    return app.change_procedure(
        "apply_for_confirmation",
        cmd,
        actor,
        app.mediation,
        lambda m: m.apply_for_confirmation(day, cmd.court, actor.to_dict(), app.recorded_at()),
    )


class FailMediation(Keyed):
    """Mediation failed."""

    title = "调解不成"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "fail-2026-0001",
        "case_id": CASE,
        "reason": "双方分歧过大",
        "routes_told": ["arbitration", "litigation"],
    }
    case_id: Id
    reason: Annotated[str, Text(1000, "原因")]
    routes_told: list[Annotated[str, Choice(ROUTES, "告知途径")]]
    failed_on: Day | None = None


def fail_mediation(cmd: FailMediation, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """Mediation failed; the parties were told of arbitration, administrative, court.
    ``failed_on`` is the day it ended (default today), the day the case is resolved."""
    day = app.fact_date(cmd.failed_on, "failed_on")
    return app.change_procedure(
        "fail_mediation",
        cmd,
        actor,
        app.mediation,
        lambda m: m.fail(
            day, cmd.reason, list(cmd.routes_told), actor.to_dict(), app.recorded_at()
        ),
    )


class EndMediation(Keyed):
    """A party ends the mediation."""

    title = "当事人终止调解"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "end-2026-0001",
        "case_id": CASE,
        "party_id": "p2",
    }
    case_id: Id
    party_id: Annotated[str, Text(50, "当事人")]
    reason: Annotated[str, Note(500, "原因")] = ""
    ended_on: Day | None = None


def end_mediation(cmd: EndMediation, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """A party ends the mediation; ``ended_on`` is the day (default today), the day the
    case is resolved."""
    day = app.fact_date(cmd.ended_on, "ended_on")
    return app.change_procedure(
        "end_mediation",
        cmd,
        actor,
        app.mediation,
        lambda m: m.end_by_party(cmd.party_id, cmd.reason, day, actor.to_dict(), app.recorded_at()),
    )


class FollowUpMediation(Keyed):
    """Record the follow-up visit (回访)."""

    title = "调解回访"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "follow-up-2026-0001",
        "case_id": CASE,
        "notes": "协议已履行",
    }
    case_id: Id
    notes: Annotated[str, Text(4000, "回访记录")]
    visited_on: Day | None = None


def follow_up_mediation(cmd: FollowUpMediation, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """Record the follow-up visit (回访) made on ``visited_on`` (default today)."""
    day = app.fact_date(cmd.visited_on, "visited_on")
    return app.change_procedure(
        "follow_up_mediation",
        cmd,
        actor,
        app.mediation,
        lambda m: m.follow_up(day, cmd.notes, actor.to_dict(), app.recorded_at()),
    )


class ReferToPolice(Keyed):
    """Flag a dispute that may become a public-order or criminal case."""

    title = "移送公安"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "police-2026-0001",
        "case_id": CASE,
        "reason": "有激化苗头",
    }
    case_id: Id
    reason: Annotated[str, Text(1000, "原因")]
    referred_on: Day | None = None


def refer_to_police(cmd: ReferToPolice, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """Flag a dispute that may become a public-order or criminal case (Art. 25), reported
    on ``referred_on`` (default today)."""
    day = app.fact_date(cmd.referred_on, "referred_on")
    return app.change_procedure(
        "refer_to_police",
        cmd,
        actor,
        app.mediation,
        lambda m: m.refer_to_police(day, cmd.reason, actor.to_dict(), app.recorded_at()),
    )
