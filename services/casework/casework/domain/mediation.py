"""People's mediation (人民调解) of a dispute case (RULES §4, 人民调解法 2010).

By a party's application or on the committee's own initiative; a party's refusal stops it;
parties choose or reject mediators and may end it; sessions are recorded; the agreement holds
its required contents and takes effect when every party and the mediator have signed and the
committee has sealed it; then 30 days for court confirmation (司法确认). Failure ends it with
the other routes told to the parties. A follow-up visit (回访) and a police referral are
recorded.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import checks

from casework.domain.common import (
    ActorDict,
    Fact,
    Procedure,
    not_before,
    record,
    violation,
)

INITIATIVES = {"application": "当事人申请", "committee": "调解委员会主动调解"}
ROUTES = {"arbitration": "仲裁", "administrative": "行政", "litigation": "诉讼"}
AGREEMENT_FIELDS = ("facts", "issues", "responsibilities", "terms", "performance")


class Mediation(Procedure):
    id: UUID
    kind = "mediation"

    @event("Started")
    def __init__(
        self,
        case_id: str,
        community_id: str,
        initiative: str,
        parties: list[dict[str, str]],
        applicant_id: str | None,
        started_on: str,
        due_on: str,
        actor: ActorDict,
    ) -> None:
        self.case_id, self.community_id, self.initiative = case_id, community_id, initiative
        self.started_on = started_on
        self.effective_on: str | None = None
        self.confirmation_applied_on: str | None = None
        self.ended_on: str | None = None  # the day it concluded, however it did
        self.parties = {p["party_id"]: dict(p) for p in parties}
        # An applicant has agreed by applying; everyone else must still agree.
        self.consented: list[str] = [applicant_id] if applicant_id else []
        self.mediators: list[str] = []
        self.rejected: list[str] = []
        self.sessions: list[dict[str, Any]] = []
        self.agreement: dict[str, Any] | None = None
        self.signed: list[str] = []
        self.state = "pending_consent"
        self.due_on = due_on
        self.confirmation_until: str | None = None
        self.police_referred = False
        self.followed_up = False

    def _party(self, party_id: str) -> None:
        if party_id not in self.parties:
            raise violation(
                "mediation.not_a_party",
                "此人不是本纠纷的当事人",
                "not a party to this dispute",
                "party_id",
            )

    def _require(self, states: tuple[str, ...], rule: str, zh: str, en: str, **more: Any) -> None:
        if self.state not in states:
            raise violation(rule, zh, en, "case_id", **more)

    def _live(self) -> None:
        live = ("pending_consent", "in_mediation", "agreed")
        self._require(
            live, "mediation.ended", "调解已结束", "the mediation has ended", state=self.state
        )

    @property
    def all_consented(self) -> bool:
        return set(self.parties) <= set(self.consented)

    @event("PartyConsented")
    def _consented(self, party_id: str, on: str, actor: ActorDict) -> None:
        self.consented.append(party_id)
        if self.all_consented:
            self.state = "in_mediation"

    @checks(_consented)
    def consent(self, party_id: str) -> None:
        self._live()
        self._party(party_id)
        if party_id in self.consented:
            raise violation(
                "mediation.already_consented",
                "当事人已同意调解",
                "the party already agreed",
                "party_id",
            )

    def refuse(self, f: Fact, party_id: str, reason: str) -> None:
        """A party refuses: no mediation (人民调解法 Art. 17)."""
        self._party_stops(party_id, f.on, "refused_on")
        record(self, self.PartyRefused, f, party_id, reason)

    def _party_stops(self, party_id: str, on: str, field: str) -> None:
        """A party may refuse or end a mediation still going on, from the day it began."""
        self._live()
        self._party(party_id)
        self._since_start(on, field)

    def _since_start(self, on: str, field: str) -> None:
        not_before(on, self.started_on, field, "调解开始之日", "the day mediation began")

    class Dated(Aggregate.Event):
        """What every dated mediation event records beside its own fields: the day it
        happened, who, and when it was typed in (None in events stored before it was kept)."""

        on: str
        actor: ActorDict
        recorded_at: str | None = field(default=None, kw_only=True)

    class PartyStopped(Dated):
        """A party refused the mediation, or ended it, for a reason: it is over."""

        party_id: str
        reason: str

    class PartyRefused(PartyStopped):
        def apply(self, aggregate: Any) -> None:
            aggregate.state, aggregate.ended_on = "stopped", self.on

    class EndedByParty(PartyStopped):
        def apply(self, aggregate: Any) -> None:
            aggregate.state, aggregate.ended_on = "ended", self.on

    @event("MediatorChosen")
    def _mediator_chosen(self, person_id: str, chosen_by: str, on: str, actor: ActorDict) -> None:
        self.mediators.append(person_id)

    @checks(_mediator_chosen)
    def choose_mediator(self, person_id: str) -> None:
        self._live()
        if person_id in self.rejected:
            raise violation(
                "mediation.mediator_rejected",
                "该调解员已被当事人拒绝",
                "a party rejected this mediator",
                "person_id",
            )
        if person_id in self.mediators:
            raise violation(
                "mediation.already_mediator",
                "此人已是本案调解员",
                "already a mediator of this case",
                "person_id",
            )

    @event("MediatorRejected")
    def _mediator_rejected(
        self, person_id: str, party_id: str, reason: str, on: str, actor: ActorDict
    ) -> None:
        self.rejected.append(person_id)
        if person_id in self.mediators:
            self.mediators.remove(person_id)

    @checks(_mediator_rejected)
    def reject_mediator(self, party_id: str) -> None:
        """A party rejects a mediator (人民调解法 Art. 23)."""
        self._live()
        self._party(party_id)

    def record_session(self, f: Fact, place: str, summary: str) -> None:
        """A session held on ``f.on`` (调解笔录)."""
        self._live()
        if not self.all_consented:
            raise violation(
                "mediation.no_consent",
                "各方当事人同意后方可调解",
                "every party must agree before mediation",
                "case_id",
                waiting=sorted(set(self.parties) - set(self.consented)),
            )
        if not self.mediators:
            raise violation(
                "mediation.no_mediator", "须先确定调解员", "choose a mediator first", "case_id"
            )
        self._since_start(f.on, "held_on")
        record(self, self.SessionRecorded, f, place, summary, list(self.mediators))

    class SessionRecorded(Dated):
        place: str
        summary: str
        mediators: list[str]

        def apply(self, aggregate: Any) -> None:
            kept = ("on", "place", "summary", "recorded_at")
            aggregate.sessions.append({name: getattr(self, name) for name in kept})

    def draft_agreement(self, agreement: dict[str, str], on: str, actor: ActorDict) -> None:
        """The agreement names parties, facts, issues, responsibilities, terms, and how,
        where and by when they are carried out (人民调解法 Art. 29)."""
        self._live()
        if not self.sessions:
            raise violation(
                "mediation.no_session", "尚无调解记录", "no session recorded", "case_id"
            )
        missing = [f for f in AGREEMENT_FIELDS if not str(agreement.get(f, "")).strip()]
        if missing:
            raise violation(
                "mediation.agreement_incomplete",
                "调解协议须载明当事人、纠纷事实、争议事项、各方责任、协议内容及履行方式与期限",
                f"the agreement lacks {', '.join(missing)}",
                f"agreement.{missing[0]}",
                missing=missing,
            )
        self._agreement_drafted(dict(agreement), on, actor)

    @event("AgreementDrafted")
    def _agreement_drafted(self, agreement: dict[str, str], on: str, actor: ActorDict) -> None:
        self.agreement, self.signed, self.state = agreement, [], "agreed"

    @event("Signed")
    def _signed(self, signer_id: str, on: str, actor: ActorDict) -> None:
        self.signed.append(signer_id)

    @checks(_signed)
    def sign(self, signer_id: str) -> None:
        self._require(
            ("agreed",), "mediation.no_agreement", "尚无待签署的调解协议", "no agreement to sign"
        )
        if signer_id not in self.parties and signer_id not in self.mediators:
            raise violation(
                "mediation.not_signatory",
                "只有当事人和调解员签名",
                "only parties and mediators sign",
                "signer_id",
            )
        if signer_id in self.signed:
            raise violation("mediation.already_signed", "已签名", "already signed", "signer_id")

    def seal(self, f: Fact, confirmation_until: str) -> None:
        """The committee seals on ``f.on``: effective once all parties and a mediator have
        signed."""
        self._require(
            ("agreed",), "mediation.no_agreement", "尚无待盖章的调解协议", "no agreement to seal"
        )
        unsigned = sorted(set(self.parties) - set(self.signed))
        if unsigned or not set(self.mediators) & set(self.signed):
            raise violation(
                "mediation.unsigned",
                "各方当事人和调解员签名后方可盖章生效",
                "all parties and the mediator must sign before the seal",
                "case_id",
                unsigned=unsigned,
            )
        not_before(f.on, self.started_on, "sealed_on", "调解开始之日", "the day mediation began")
        record(self, self.AgreementEffective, f, confirmation_until)

    class AgreementEffective(Dated):
        confirmation_until: str

        def apply(self, aggregate: Any) -> None:
            aggregate.state, aggregate.confirmation_until = "effective", self.confirmation_until
            aggregate.effective_on = aggregate.ended_on = self.on

    def apply_for_confirmation(self, f: Fact, court: str) -> None:
        """Court confirmation (司法确认) applied for on ``f.on``, within 30 days of the
        agreement taking effect."""
        if self.state != "effective" or self.confirmation_until is None:
            raise violation(
                "mediation.not_effective", "调解协议尚未生效", "no effective agreement", "case_id"
            )
        not_before(
            f.on,
            self.effective_on,
            "applied_on",
            "协议生效之日",
            "the day the agreement took effect",
        )
        if f.on > self.confirmation_until:
            raise violation(
                "mediation.confirmation_late",
                f"司法确认须在协议生效之日起30日内申请（截止{self.confirmation_until}）",
                f"court confirmation was due by {self.confirmation_until}",
                "case_id",
            )
        record(self, self.ConfirmationApplied, f, court)

    class ConfirmationApplied(Dated):
        court: str

        def apply(self, aggregate: Any) -> None:
            aggregate.confirmation_applied = aggregate.confirmation_applied_on = self.on

    def fail(self, f: Fact, reason: str, routes_told: list[str]) -> None:
        """Mediation failed: it ends and the parties are told of the other routes (Art. 26)."""
        self._live()
        self._since_start(f.on, "failed_on")
        if sorted(set(routes_told)) != sorted(ROUTES):
            raise violation(
                "mediation.routes_not_told",
                "调解不成的，须告知当事人仲裁、行政、诉讼等途径",
                "tell the parties of the arbitration, administrative and court routes",
                "routes_told",
                required=sorted(ROUTES),
            )
        record(self, self.Failed, f, reason, sorted(routes_told))

    class Failed(Dated):
        reason: str
        routes_told: list[str]

        def apply(self, aggregate: Any) -> None:
            aggregate.state, aggregate.ended_on = "failed", self.on

    def end_by_party(self, f: Fact, party_id: str, reason: str) -> None:
        """A party ends the mediation (人民调解法 Art. 23)."""
        self._party_stops(party_id, f.on, "ended_on")
        record(self, self.EndedByParty, f, party_id, reason)

    def follow_up(self, f: Fact, notes: str) -> None:
        """The follow-up visit (回访) made on ``f.on``, after the mediation ended."""
        ended = ("effective", "failed", "ended")
        self._require(
            ended,
            "mediation.follow_up_early",
            "调解结束后方可回访",
            "follow up after the mediation ends",
        )
        not_before(f.on, self.ended_on, "visited_on", "调解结束之日", "the day mediation ended")
        record(self, self.FollowedUp, f, notes)

    class FollowedUp(Dated):
        notes: str

        def apply(self, aggregate: Any) -> None:
            aggregate.followed_up = True

    def refer_to_police(self, f: Fact, reason: str) -> None:
        """A dispute that may turn into a public-order or criminal case (Art. 25), reported
        on ``f.on``."""
        if self.police_referred:
            raise violation(
                "mediation.already_referred",
                "已报告公安机关",
                "already referred to the police",
                "case_id",
            )
        self._since_start(f.on, "referred_on")
        record(self, self.ReferredToPolice, f, reason)

    class ReferredToPolice(Dated):
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.police_referred = True

    @property
    def concluded(self) -> bool:
        return self.state in ("effective", "failed", "ended", "stopped")

    def conclusion(self) -> tuple[str, list[str]] | None:
        """(the day it ended, its outcome as a case's evidence), once it has concluded."""
        if not self.concluded or self.ended_on is None:
            return None
        return self.ended_on, [f"人民调解：{CONCLUSIONS[self.state]}（{self.ended_on}）"]


CONCLUSIONS = {
    "effective": "调解协议经各方签名、调解委员会盖章生效",
    "failed": "调解不成，已告知仲裁、行政、诉讼途径",
    "ended": "当事人终止调解",
    "stopped": "当事人拒绝调解，不予调解",
}
