"""Use cases of people's mediation (人民调解, RULES §4) of a dispute case: start, the parties'
consent or refusal, the mediator, sessions, the agreement (drafted, signed, sealed), court
confirmation, failure or a party ending it, follow-up, referral to the police.

A mediation belongs to its case and is authorised as the case is; when it ends, its case moves
on in the same save (``CaseworkBase.change_procedure``). The rules live in
``casework.domain.mediation``."""

from __future__ import annotations

from typing import Annotated, Any

from shequ.actor import Actor
from shequ.commands import Choice, Command, Day, Id, Note, Text
from shequ.errors import ValidationError
from shequ.handlers import create

from casework.base import CaseworkBase
from casework.changes import CaseCommand, case_example, changes_mediation
from casework.domain import Mediation
from casework.domain.common import Fact
from casework.domain.mediation import INITIATIVES, ROUTES
from casework.fields import OptionalReason, PartyId, Reason

CASE = "5b2d7c1e-0000-5000-8000-000000000003"
MEDIATOR = "5b2d7c1e-0000-5000-8000-000000000007"


class Party(Command):
    """A party to a dispute."""

    party_id: Annotated[str, Text(50, "当事人编号")]
    name: Annotated[str, Text(50, "当事人姓名")]


class StartMediation(CaseCommand):
    """Begin mediating a dispute."""

    title = "启动调解"
    example = case_example(
        "mediation",
        CASE,
        initiative="application",
        parties=[{"party_id": "p1", "name": "张示例"}, {"party_id": "p2", "name": "李示例"}],
        applicant_id="p1",
    )
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
        case = app.case_to_start(case_id, Mediation, day)
        applied = cmd.initiative == "application"
        return create(
            Mediation,
            Mediation.create_id(case_id),
            cmd,
            actor,  # the initiative as the command gives it
            case_id=case_id,
            community_id=case.community_id,
            parties=parties,
            applicant_id=cmd.applicant_id if applied else None,
            started_on=day,
            due_on=app.settings.mediation_within.due(app.calendar, day),
        )

    return app.change_procedure("start_mediation", cmd, actor, load, lambda m: None)


class ConsentToMediation(CaseCommand):
    """A party agrees to be mediated."""

    title = "当事人同意调解"
    example = case_example("consent", CASE, party_id="p1")
    party_id: PartyId


@changes_mediation()
def consent_to_mediation(app: CaseworkBase, cmd: ConsentToMediation, m: Mediation, f: Fact) -> None:
    """A party agrees to be mediated."""
    m.consent(cmd.party_id, f.on, f.actor)


class RefuseMediation(CaseCommand):
    """A party refuses mediation."""

    title = "当事人拒绝调解"
    example = case_example("refuse-mediation", CASE, party_id="p2", reason="愿意直接起诉")
    party_id: PartyId
    reason: OptionalReason = ""
    refused_on: Day | None = None


@changes_mediation("refused_on")
def refuse_mediation(app: CaseworkBase, cmd: RefuseMediation, m: Mediation, f: Fact) -> None:
    """A party refuses: there is no mediation (人民调解法 Art. 17); ``refused_on`` is the
    day they refused (default today), the day the case is resolved."""
    m.refuse(f, cmd.party_id, cmd.reason)


class ChooseMediator(CaseCommand):
    """A mediator is chosen."""

    title = "选定调解员"
    example = case_example("mediator", CASE, person_id=MEDIATOR)
    person_id: Id
    chosen_by: Annotated[str, Text(50, "选定方")] = "committee"


@changes_mediation()
def choose_mediator(app: CaseworkBase, cmd: ChooseMediator, m: Mediation, f: Fact) -> None:
    """A mediator is chosen (by a party, or named by the committee)."""
    m.choose_mediator(cmd.person_id, cmd.chosen_by, f.on, f.actor)


class RejectMediator(CaseCommand):
    """A party rejects a mediator."""

    title = "当事人要求调解员回避"
    example = case_example(
        "reject-mediator", CASE, person_id=MEDIATOR, party_id="p2", reason="有亲属关系"
    )
    person_id: Id
    party_id: PartyId
    reason: OptionalReason = ""


@changes_mediation()
def reject_mediator(app: CaseworkBase, cmd: RejectMediator, m: Mediation, f: Fact) -> None:
    """A party rejects a mediator (人民调解法 Art. 23)."""
    m.reject_mediator(cmd.person_id, cmd.party_id, cmd.reason, f.on, f.actor)


class RecordMediationSession(CaseCommand):
    """Record a mediation session (调解笔录)."""

    title = "记录调解"
    example = case_example("session", CASE, place="村委会调解室", summary="双方陈述，调解员释法")
    place: Annotated[str, Text(200, "地点")]
    summary: Annotated[str, Text(8000, "调解记录")]
    held_on: Day | None = None


@changes_mediation("held_on")
def record_mediation_session(
    app: CaseworkBase, cmd: RecordMediationSession, m: Mediation, f: Fact
) -> None:
    """Record a mediation session (调解笔录) held on ``held_on`` (default today)."""
    m.record_session(f, cmd.place, cmd.summary)


AGREEMENT = {
    "facts": "两户宅基地边界争议",
    "issues": "界桩位置",
    "responsibilities": "双方各半",
    "terms": "以原界桩为准",
    "performance": "即日履行",
}


class DraftAgreement(CaseCommand):
    """Write the mediation agreement (调解协议书)."""

    title = "制作调解协议书"
    example = case_example("agreement", CASE, agreement=AGREEMENT)
    agreement: dict[str, Annotated[str, Note(4000, "协议内容")]]


@changes_mediation()
def draft_agreement(app: CaseworkBase, cmd: DraftAgreement, m: Mediation, f: Fact) -> None:
    """Write the mediation agreement (调解协议书) with its required contents."""
    m.draft_agreement(dict(cmd.agreement), f.on, f.actor)


class SignAgreement(CaseCommand):
    """A party or the mediator signs the agreement."""

    title = "签署调解协议"
    example = case_example("sign", CASE, signer_id="p1")
    signer_id: Annotated[str, Text(50, "签名人")]


@changes_mediation()
def sign_agreement(app: CaseworkBase, cmd: SignAgreement, m: Mediation, f: Fact) -> None:
    """A party or the mediator signs the agreement."""
    m.sign(cmd.signer_id, f.on, f.actor)


class SealAgreement(CaseCommand):
    """The committee seals the agreement."""

    title = "调解委员会盖章"
    example = case_example("seal", CASE)
    sealed_on: Day | None = None


@changes_mediation("sealed_on")
def seal_agreement(app: CaseworkBase, cmd: SealAgreement, m: Mediation, f: Fact) -> None:
    """The committee seals: the agreement takes effect on ``sealed_on`` (default today)
    and the dispute case is resolved with it; 30 days for court confirmation."""
    m.seal(f, app.settings.confirmation_within.due(app.calendar, f.on))


class ApplyForConfirmation(CaseCommand):
    """The parties apply for judicial confirmation (司法确认)."""

    title = "申请司法确认"
    example = case_example("confirmation", CASE, court="胶河经济区人民法院")
    court: Annotated[str, Text(100, "人民法院")]
    applied_on: Day | None = None


@changes_mediation("applied_on")
def apply_for_confirmation(
    app: CaseworkBase, cmd: ApplyForConfirmation, m: Mediation, f: Fact
) -> None:
    """The parties apply to a court for judicial confirmation (司法确认) on
    ``applied_on`` (default today), within 30 days of the agreement taking effect."""
    m.apply_for_confirmation(f, cmd.court)


class FailMediation(CaseCommand):
    """Mediation failed."""

    title = "调解不成"
    example = case_example(
        "fail", CASE, reason="双方分歧过大", routes_told=["arbitration", "litigation"]
    )
    reason: Reason
    routes_told: list[Annotated[str, Choice(ROUTES, "告知途径")]]
    failed_on: Day | None = None


@changes_mediation("failed_on")
def fail_mediation(app: CaseworkBase, cmd: FailMediation, m: Mediation, f: Fact) -> None:
    """Mediation failed; the parties were told of arbitration, administrative, court.
    ``failed_on`` is the day it ended (default today), the day the case is resolved."""
    m.fail(f, cmd.reason, list(cmd.routes_told))


class EndMediation(CaseCommand):
    """A party ends the mediation."""

    title = "当事人终止调解"
    example = case_example("end", CASE, party_id="p2")
    party_id: PartyId
    reason: OptionalReason = ""
    ended_on: Day | None = None


@changes_mediation("ended_on")
def end_mediation(app: CaseworkBase, cmd: EndMediation, m: Mediation, f: Fact) -> None:
    """A party ends the mediation; ``ended_on`` is the day (default today), the day the
    case is resolved."""
    m.end_by_party(f, cmd.party_id, cmd.reason)


class FollowUpMediation(CaseCommand):
    """Record the follow-up visit (回访)."""

    title = "调解回访"
    example = case_example("follow-up", CASE, notes="协议已履行")
    notes: Annotated[str, Text(4000, "回访记录")]
    visited_on: Day | None = None


@changes_mediation("visited_on")
def follow_up_mediation(app: CaseworkBase, cmd: FollowUpMediation, m: Mediation, f: Fact) -> None:
    """Record the follow-up visit (回访) made on ``visited_on`` (default today)."""
    m.follow_up(f, cmd.notes)


class ReferToPolice(CaseCommand):
    """Flag a dispute that may become a public-order or criminal case."""

    title = "移送公安"
    example = case_example("police", CASE, reason="有激化苗头")
    reason: Reason
    referred_on: Day | None = None


@changes_mediation("referred_on")
def refer_to_police(app: CaseworkBase, cmd: ReferToPolice, m: Mediation, f: Fact) -> None:
    """Flag a dispute that may become a public-order or criminal case (Art. 25), reported
    on ``referred_on`` (default today)."""
    m.refer_to_police(f, cmd.reason)
