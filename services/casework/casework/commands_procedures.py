"""Use cases: people's mediation of a dispute (RULES §4) and the six steps of a village
decision (RULES §1). Each procedure belongs to its case and is authorised as the case is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequ.actor import Actor
from shequ.errors import ValidationError
from shequ.validation import (
    check_bool,
    check_choice,
    check_date,
    check_int,
    check_uuid,
    optional_text,
    require_text,
)

from casework.commands_outcome import OutcomeCommands
from casework.domain import Mediation, VillageDecision
from casework.domain.common import not_before, violation
from casework.domain.decision import MATTERS
from casework.domain.mediation import INITIATIVES, ROUTES
from casework.domain.thresholds import BODIES


class ProcedureCommands(OutcomeCommands):
    """Mediation and village decisions."""

    def _procedure(
        self,
        command: str,
        key: str,
        actor: Actor,
        case_id: str,
        payload: dict[str, Any],
        load: Callable[[str], Any],
        act: Callable[[Any], None],
    ) -> dict[str, Any]:
        case_id = check_uuid(case_id, "case_id")
        case = self.load_case(case_id)
        self.guard(actor, case)

        def decide() -> Any:
            agg = load(case_id)
            ended = agg.conclusion()
            act(agg)
            changed = [agg]
            if ended is None and (now := agg.conclusion()) is not None:
                # the procedure ended: its case moves on, in the same atomic save
                fresh = self.load_case(case_id)
                if fresh.conclude(now[0], now[1], actor.to_dict(), self.recorded_at()):
                    changed.append(fresh)
            return changed, {"case_id": case_id, "state": agg.state}

        return self.run(
            command,
            key,
            actor,
            self.case_target(case),  # type: ignore
            {"case_id": case_id, **payload},
            decide,
        )

    def _mediation(
        self,
        command: str,
        key: str,
        actor: Actor,
        case_id: str,
        payload: dict[str, Any],
        act: Callable[[Mediation], None],
    ) -> dict[str, Any]:
        return self._procedure(command, key, actor, case_id, payload, self.mediation, act)

    # -- mediation -------------------------------------------------------------------------
    def start_mediation(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        initiative: str,
        parties: list[dict[str, str]],
        applicant_id: str | None = None,
        started_on: str | None = None,
    ) -> dict[str, Any]:
        """Begin mediating a dispute, on a party's application or the committee's initiative;
        ``started_on`` is the day it began (default today): the month counts from it."""
        p: dict[str, Any] = {
            "initiative": check_choice(initiative, "initiative", INITIATIVES, "调解启动方式"),
            "parties": _parties(parties),
            "applicant_id": optional_text(applicant_id, "applicant_id", "申请人", 50) or None,
            "started_on": started_on,
        }
        day = self.fact_date(started_on, "started_on")
        ids = [x["party_id"] for x in p["parties"]]
        if p["initiative"] == "application" and p["applicant_id"] not in ids:
            raise ValidationError(
                "申请调解的须是当事人之一",
                "the applicant must be a party",
                "applicant_id",
                rule="mediation.applicant",
            )

        def load(case_id: str) -> Mediation:
            case = self.load_case(case_id)
            if case.case_type != "dispute" or not case.is_open:
                raise violation(
                    "mediation.dispute_only",
                    "只有在办的矛盾纠纷案件可以调解",
                    "only an open dispute case is mediated",
                    "case_id",
                )
            if self.exists(Mediation.create_id(case_id)):
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
                initiative=p["initiative"],
                parties=p["parties"],
                applicant_id=p["applicant_id"] if p["initiative"] == "application" else None,
                started_on=day,
                due_on=self.settings.mediation_within.due(self.calendar, day),
                actor=actor.to_dict(),
            )

        return self._procedure(
            "start_mediation", idempotency_key, actor, case_id, p, load, lambda m: None
        )

    def consent_to_mediation(
        self, actor: Actor, idempotency_key: str, *, case_id: str, party_id: str
    ) -> dict[str, Any]:
        """A party agrees to be mediated."""
        party = require_text(party_id, "party_id", "当事人", 50)
        return self._mediation(
            "consent_to_mediation",
            idempotency_key,
            actor,
            case_id,
            {"party_id": party},
            lambda m: m.consent(party, self.today(), actor.to_dict()),
        )

    def refuse_mediation(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        party_id: str,
        reason: str = "",
        refused_on: str | None = None,
    ) -> dict[str, Any]:
        """A party refuses: there is no mediation (人民调解法 Art. 17); ``refused_on`` is the
        day they refused (default today), the day the case is resolved."""
        p: dict[str, Any] = {
            "party_id": require_text(party_id, "party_id", "当事人", 50),
            "reason": optional_text(reason, "reason", "原因", 500),
            "refused_on": refused_on,
        }
        day = self.fact_date(refused_on, "refused_on")
        return self._mediation(
            "refuse_mediation",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda m: m.refuse(
                p["party_id"], p["reason"], day, actor.to_dict(), self.recorded_at()
            ),
        )

    def choose_mediator(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        person_id: str,
        chosen_by: str = "committee",
    ) -> dict[str, Any]:
        """A mediator is chosen (by a party, or named by the committee)."""
        p: dict[str, Any] = {
            "person_id": check_uuid(person_id, "person_id"),
            "chosen_by": require_text(chosen_by, "chosen_by", "选定方", 50),
        }
        return self._mediation(
            "choose_mediator",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda m: m.choose_mediator(
                p["person_id"], p["chosen_by"], self.today(), actor.to_dict()
            ),
        )

    def reject_mediator(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        person_id: str,
        party_id: str,
        reason: str = "",
    ) -> dict[str, Any]:
        """A party rejects a mediator (人民调解法 Art. 23)."""
        p: dict[str, Any] = {
            "person_id": check_uuid(person_id, "person_id"),
            "party_id": require_text(party_id, "party_id", "当事人", 50),
            "reason": optional_text(reason, "reason", "原因", 500),
        }
        return self._mediation(
            "reject_mediator",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda m: m.reject_mediator(
                p["person_id"], p["party_id"], p["reason"], self.today(), actor.to_dict()
            ),
        )

    def record_mediation_session(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        place: str,
        summary: str,
        held_on: str | None = None,
    ) -> dict[str, Any]:
        """Record a mediation session (调解笔录) held on ``held_on`` (default today)."""
        p: dict[str, Any] = {
            "place": require_text(place, "place", "地点", 200),
            "summary": require_text(summary, "summary", "调解记录", 8000),
            "held_on": held_on,
        }
        day = self.fact_date(held_on, "held_on")
        return self._mediation(
            "record_mediation_session",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda m: m.record_session(
                day, p["place"], p["summary"], actor.to_dict(), self.recorded_at()
            ),
        )

    def draft_agreement(
        self, actor: Actor, idempotency_key: str, *, case_id: str, agreement: dict[str, str]
    ) -> dict[str, Any]:
        """Write the mediation agreement (调解协议书) with its required contents."""
        if not isinstance(agreement, dict):
            raise ValidationError(
                "调解协议须为对象", "agreement must be an object", "agreement", rule="object"
            )
        text = {k: optional_text(v, f"agreement.{k}", k, 4000) for k, v in agreement.items()}
        return self._mediation(
            "draft_agreement",
            idempotency_key,
            actor,
            case_id,
            {"agreement": text},
            lambda m: m.draft_agreement(text, self.today(), actor.to_dict()),
        )

    def sign_agreement(
        self, actor: Actor, idempotency_key: str, *, case_id: str, signer_id: str
    ) -> dict[str, Any]:
        """A party or the mediator signs the agreement."""
        signer = require_text(signer_id, "signer_id", "签名人", 50)
        return self._mediation(
            "sign_agreement",
            idempotency_key,
            actor,
            case_id,
            {"signer_id": signer},
            lambda m: m.sign(signer, self.today(), actor.to_dict()),
        )

    def seal_agreement(
        self, actor: Actor, idempotency_key: str, *, case_id: str, sealed_on: str | None = None
    ) -> dict[str, Any]:
        """The committee seals: the agreement takes effect on ``sealed_on`` (default today)
        and the dispute case is resolved with it; 30 days for court confirmation."""
        day = self.fact_date(sealed_on, "sealed_on")

        def act(m: Mediation) -> None:
            m.seal(
                day,
                self.settings.confirmation_within.due(self.calendar, day),
                actor.to_dict(),
                self.recorded_at(),
            )

        return self._mediation(
            "seal_agreement", idempotency_key, actor, case_id, {"sealed_on": sealed_on}, act
        )

    def apply_for_confirmation(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        court: str,
        applied_on: str | None = None,
    ) -> dict[str, Any]:
        """The parties apply to a court for judicial confirmation (司法确认) on
        ``applied_on`` (default today), within 30 days of the agreement taking effect."""
        name = require_text(court, "court", "人民法院", 100)
        day = self.fact_date(applied_on, "applied_on")
        return self._mediation(
            "apply_for_confirmation",
            idempotency_key,
            actor,
            case_id,
            {"court": name, "applied_on": applied_on},
            lambda m: m.apply_for_confirmation(day, name, actor.to_dict(), self.recorded_at()),
        )

    def fail_mediation(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        reason: str,
        routes_told: list[str],
        failed_on: str | None = None,
    ) -> dict[str, Any]:
        """Mediation failed; the parties were told of arbitration, administrative, court.
        ``failed_on`` is the day it ended (default today), the day the case is resolved."""
        if not isinstance(routes_told, list):
            raise ValidationError(
                "须为列表", "routes_told must be a list", "routes_told", rule="list"
            )
        p: dict[str, Any] = {
            "reason": require_text(reason, "reason", "原因", 1000),
            "routes_told": [
                check_choice(r, "routes_told", ROUTES, "告知途径") for r in routes_told
            ],
            "failed_on": failed_on,
        }
        day = self.fact_date(failed_on, "failed_on")
        return self._mediation(
            "fail_mediation",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda m: m.fail(
                day, p["reason"], p["routes_told"], actor.to_dict(), self.recorded_at()
            ),
        )

    def end_mediation(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        party_id: str,
        reason: str = "",
        ended_on: str | None = None,
    ) -> dict[str, Any]:
        """A party ends the mediation; ``ended_on`` is the day (default today), the day the
        case is resolved."""
        p: dict[str, Any] = {
            "party_id": require_text(party_id, "party_id", "当事人", 50),
            "reason": optional_text(reason, "reason", "原因", 500),
            "ended_on": ended_on,
        }
        day = self.fact_date(ended_on, "ended_on")
        return self._mediation(
            "end_mediation",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda m: m.end_by_party(
                p["party_id"], p["reason"], day, actor.to_dict(), self.recorded_at()
            ),
        )

    def follow_up_mediation(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        notes: str,
        visited_on: str | None = None,
    ) -> dict[str, Any]:
        """Record the follow-up visit (回访) made on ``visited_on`` (default today)."""
        text = require_text(notes, "notes", "回访记录", 4000)
        day = self.fact_date(visited_on, "visited_on")
        return self._mediation(
            "follow_up_mediation",
            idempotency_key,
            actor,
            case_id,
            {"notes": text, "visited_on": visited_on},
            lambda m: m.follow_up(day, text, actor.to_dict(), self.recorded_at()),
        )

    def refer_to_police(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        reason: str,
        referred_on: str | None = None,
    ) -> dict[str, Any]:
        """Flag a dispute that may become a public-order or criminal case (Art. 25), reported
        on ``referred_on`` (default today)."""
        text = require_text(reason, "reason", "原因", 1000)
        day = self.fact_date(referred_on, "referred_on")
        return self._mediation(
            "refer_to_police",
            idempotency_key,
            actor,
            case_id,
            {"reason": text, "referred_on": referred_on},
            lambda m: m.refer_to_police(day, text, actor.to_dict(), self.recorded_at()),
        )

    # -- village decisions -----------------------------------------------------------------
    def start_decision(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        matter_type: str,
        one_shoulder: bool = False,
        started_on: str | None = None,
    ) -> dict[str, Any]:
        """Open the 四议两公开 procedure for a village-decision case; ``started_on`` is the
        day it began (default today): every meeting falls on or after it."""
        p: dict[str, Any] = {
            "matter_type": check_choice(matter_type, "matter_type", MATTERS, "事项类别"),
            "one_shoulder": check_bool(one_shoulder, "one_shoulder"),
            "started_on": started_on,
        }
        day = self.fact_date(started_on, "started_on")

        def load(case_id: str) -> VillageDecision:
            case = self.load_case(case_id)
            if case.case_type != "decision" or not case.village_id:
                raise violation(
                    "decision.case_type",
                    "只有村级重大事项案件（须注明村）可启动四议两公开",
                    "only a village-decision case with a village",
                    "case_id",
                )
            if self.exists(VillageDecision.create_id(case_id)):
                raise violation("decision.exists", "该事项已启动", "already started", "case_id")
            not_before(
                day, case.received_on, "started_on", "登记收到之日", "the day the case was received"
            )
            return VillageDecision(
                id=VillageDecision.create_id(case_id),  # type: ignore
                case_id=case_id,
                community_id=case.community_id,
                village_id=case.village_id,
                title=case.title,
                matter_type=p["matter_type"],
                one_shoulder=p["one_shoulder"],
                actor=actor.to_dict(),
                opened_on=day,
            )

        return self._procedure(
            "start_decision", idempotency_key, actor, case_id, p, load, lambda d: None
        )

    def record_decision_meeting(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        step: int,
        body: str,
        record: dict[str, Any],
        merge_next: bool = False,
    ) -> dict[str, Any]:
        """Record the meeting of step 1-4 (attendance, votes, signatures); a resolution that
        misses its threshold is refused, naming the threshold."""
        if not isinstance(record, dict):
            raise ValidationError(
                "会议记录须为对象", "record must be an object", "record", rule="object"
            )
        p: dict[str, Any] = {
            "step": check_int(step, "step", "步骤", 1, 6),
            "body": check_choice(body, "body", BODIES, "会议类型"),
            "record": {
                **record,
                "date": check_date(record.get("date"), "record.date"),
                **(
                    {"notice_on": check_date(record["notice_on"], "record.notice_on")}
                    if record.get("notice_on")
                    else {}
                ),
            },
            "merge_next": check_bool(merge_next, "merge_next"),
        }
        self.fact_date(p["record"]["date"], "record.date")  # held: not in the future
        return self._procedure(
            "record_decision_meeting",
            idempotency_key,
            actor,
            case_id,
            p,
            self.decision,
            lambda d: d.record_meeting(
                p["step"],
                p["body"],
                p["record"],
                p["merge_next"],
                self.settings.local_rules,
                actor.to_dict(),
                self.recorded_at(),
            ),
        )

    def publish_decision(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        step: int,
        text: str,
        published_on: str | None = None,
    ) -> dict[str, Any]:
        """Publish the resolution (step 5) or the result of carrying it out (step 6), on
        ``published_on`` (default today; the result's day resolves the case)."""
        p: dict[str, Any] = {
            "step": check_int(step, "step", "步骤", 5, 6),
            "text": require_text(text, "text", "公开内容", 8000),
            "published_on": published_on,
        }
        day = self.fact_date(published_on, "published_on")
        return self._procedure(
            "publish_decision",
            idempotency_key,
            actor,
            case_id,
            p,
            self.decision,
            lambda d: d.publish(p["step"], day, p["text"], actor.to_dict(), self.recorded_at()),
        )


def _parties(parties: Any) -> list[dict[str, str]]:
    if not isinstance(parties, list) or len(parties) < 2:
        raise ValidationError(
            "纠纷须有两方以上当事人",
            "a dispute has at least two parties",
            "parties",
            rule="mediation.parties",
        )
    out, seen = [], set()
    for i, x in enumerate(parties):
        if not isinstance(x, dict):
            raise ValidationError(
                "当事人须为对象", "each party is an object", f"parties.{i}", rule="object"
            )
        pid = require_text(x.get("party_id"), f"parties.{i}.party_id", "当事人编号", 50)
        if pid in seen:
            raise ValidationError(
                "当事人重复", "a party is listed twice", f"parties.{i}", rule="duplicate"
            )
        seen.add(pid)
        out.append(
            {
                "party_id": pid,
                "name": require_text(x.get("name"), f"parties.{i}.name", "当事人姓名", 50),
            }
        )
    return out
