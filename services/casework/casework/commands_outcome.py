"""Use cases: resolution, answer, the resident's rating and reopening, closure; material,
recusal, and the petition's review and re-review."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import AggregateNotFoundError
from shequ.actor import Actor
from shequ.errors import ValidationError
from shequ.validation import (
    check_bool,
    check_choice,
    check_int,
    check_uuid,
    optional_text,
    require_text,
)

from casework.base import key_id
from casework.commands_cases import CaseCommands
from casework.domain import Case, Mediation, VillageDecision
from casework.domain.common import violation
from casework.domain.vocabulary import OUTCOMES, REPLY_FIELDS, REVIEW_LEVELS


class OutcomeCommands(CaseCommands):
    """From resolution to closure."""

    def _procedure_done(self, case: Case) -> None:
        """A dispute resolves once its mediation has concluded; a village decision once
        its result is published."""
        if case.case_type == "dispute":
            try:
                m: Mediation = self.repository.get(Mediation.create_id(str(case.id)))
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
                d: VillageDecision | None = self.repository.get(
                    VillageDecision.create_id(str(case.id))
                )
            except AggregateNotFoundError:
                d = None
            if d is None or d.state not in ("completed", "rejected"):
                raise violation(
                    "decision.not_completed",
                    "四议两公开程序未完成，不能办结",
                    "the six steps are not complete",
                    "case_id",
                )

    def resolve_case(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        evidence: list[str],
        outcome: str | None = None,
        reply: dict[str, str] | None = None,
        resolved_on: str | None = None,
    ) -> dict[str, Any]:
        """Resolve with evidence; a petition with its outcome and written reply.
        ``resolved_on`` is the day it was done (default today): on time or not by it."""
        if not isinstance(evidence, list):
            raise ValidationError(
                "证明材料须为列表", "evidence must be a list", "evidence", rule="list"
            )
        p: dict[str, Any] = {
            "evidence": [require_text(x, "evidence", "证明材料", 500) for x in evidence],
            "outcome": check_choice(outcome, "outcome", OUTCOMES, "处理结论") if outcome else None,
            "reply": {
                k: optional_text((reply or {}).get(k), f"reply.{k}", k, 4000) for k in REPLY_FIELDS
            }
            if reply
            else None,
            "resolved_on": resolved_on,
        }
        day = self.fact_date(resolved_on, "resolved_on")

        def act(case: Case) -> None:
            self._procedure_done(case)
            case.resolve(
                day, p["evidence"], p["outcome"], p["reply"], actor.to_dict(), self.recorded_at()
            )

        return self._on_case("resolve_case", idempotency_key, actor, case_id, p, act)

    def answer_case(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        text: str,
        answered_on: str | None = None,
    ) -> dict[str, Any]:
        """Answer the resident (反馈); ``answered_on`` is the day they received it (default
        today): the reopening and (petitions) review windows count from it."""
        body = require_text(text, "text", "答复内容", 4000)
        day = self.fact_date(answered_on, "answered_on")

        def act(case: Case) -> None:
            reopen = self.settings.reopen_within.due(self.calendar, day)
            review = (
                self.settings.petition_review_window.due(self.calendar, day)
                if case.case_type == "petition"
                else None
            )
            case.answer(day, body, reopen, review, actor.to_dict(), self.recorded_at())

        return self._on_case(
            "answer_case",
            idempotency_key,
            actor,
            case_id,
            {"text": body, "answered_on": answered_on},
            act,
        )

    def rate_case(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        rating: int,
        comment: str = "",
        rated_on: str | None = None,
    ) -> dict[str, Any]:
        """The resident rates the handling, 1 (worst) to 5 (best). ``rated_on`` is the day
        the rating was given (a paper form or a visit, typed in later; default today; not
        before the answer): assessment counts it in that day's period."""
        p: dict[str, Any] = {
            "rating": check_int(rating, "rating", "评价", 1, 5),
            "comment": optional_text(comment, "comment", "评价意见", 1000),
            "rated_on": rated_on,
        }
        day = self.fact_date(rated_on, "rated_on")
        return self._on_case(
            "rate_case",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda c: c.rate(p["rating"], p["comment"], day, actor.to_dict(), self.recorded_at()),
        )

    def confirm_case(self, actor: Actor, idempotency_key: str, *, case_id: str) -> dict[str, Any]:
        """The resident confirms the outcome."""
        return self._on_case(
            "confirm_case",
            idempotency_key,
            actor,
            case_id,
            {},
            lambda c: c.confirm(self.today(), actor.to_dict()),
        )

    def reopen_case(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        reason: str,
        reopened_on: str | None = None,
    ) -> dict[str, Any]:
        """The resident reopens the case within the window; it goes back to its owner.
        ``reopened_on`` is the day they asked (by phone, in person; default today): the
        window is checked and the handling time counts from it."""
        text = require_text(reason, "reason", "原因", 1000)
        day = self.fact_date(reopened_on, "reopened_on")

        def act(case: Case) -> None:
            period = self.settings.handling_period(case.case_type, case.category)
            case.reopen(
                day, text, period.due(self.calendar, day), actor.to_dict(), self.recorded_at()
            )

        return self._on_case(
            "reopen_case",
            idempotency_key,
            actor,
            case_id,
            {"reason": text, "reopened_on": reopened_on},
            act,
        )

    def close_case(self, actor: Actor, idempotency_key: str, *, case_id: str) -> dict[str, Any]:
        """Close a confirmed case, or an answered one whose reopening window has passed."""
        return self._on_case(
            "close_case",
            idempotency_key,
            actor,
            case_id,
            {},
            lambda c: c.close(self.today(), actor.to_dict()),
        )

    def add_material(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        title: str,
        content: str,
        protected: bool = False,
    ) -> dict[str, Any]:
        """Add material to a case; ``protected`` material (from someone reporting misconduct)
        is never shown to the person reported."""
        p: dict[str, Any] = {
            "title": require_text(title, "title", "材料名称", 200),
            "content": require_text(content, "content", "材料内容", 20000),
            "protected": check_bool(protected, "protected"),
        }
        material_id = str(key_id("material", idempotency_key))
        return self._on_case(
            "add_material",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda c: c.add_material(
                material_id, p["title"], p["content"], p["protected"], self.today(), actor.to_dict()
            ),
        )

    def recuse(
        self, actor: Actor, idempotency_key: str, *, case_id: str, person_id: str, reason: str
    ) -> dict[str, Any]:
        """A handler with a conflict of interest steps aside (回避); an owner who steps aside
        leaves the case to be reassigned."""
        p: dict[str, Any] = {
            "person_id": check_uuid(person_id, "person_id"),
            "reason": require_text(reason, "reason", "回避原因", 500),
        }
        return self._on_case(
            "recuse",
            idempotency_key,
            actor,
            case_id,
            p,
            lambda c: c.recuse(p["person_id"], p["reason"], self.today(), actor.to_dict()),
        )

    def request_review(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        level: str,
        reason: str,
        requested_on: str | None = None,
    ) -> dict[str, Any]:
        """The petitioner asks for review (复查) or re-review (复核), within 30 days of the
        answer; ``requested_on`` is the day they asked (in person, by letter; default
        today): the window is checked and the 30 days to answer count from it."""
        p: dict[str, Any] = {
            "level": check_choice(level, "level", REVIEW_LEVELS, "复查或复核"),
            "reason": require_text(reason, "reason", "理由", 2000),
            "requested_on": requested_on,
        }
        day = self.fact_date(requested_on, "requested_on")

        def act(case: Case) -> None:
            due = self.settings.petition_review_answer.due(self.calendar, day)
            case.request_review(
                p["level"], day, p["reason"], due, actor.to_dict(), self.recorded_at()
            )

        return self._on_case("request_review", idempotency_key, actor, case_id, p, act)

    def answer_review(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        case_id: str,
        outcome: str,
        decision: str,
        basis: str,
        answered_on: str | None = None,
    ) -> dict[str, Any]:
        """Answer a review or re-review in writing; a re-review answer is final.
        ``answered_on`` is the day the petitioner received it (default today): the window
        for a re-review counts from it."""
        p: dict[str, Any] = {
            "outcome": check_choice(outcome, "outcome", OUTCOMES, "处理结论"),
            "decision": require_text(decision, "decision", "处理决定", 4000),
            "basis": require_text(basis, "basis", "依据", 4000),
            "answered_on": answered_on,
        }
        day = self.fact_date(answered_on, "answered_on")

        def act(case: Case) -> None:
            window = self.settings.petition_review_window.due(self.calendar, day)
            case.answer_review(
                day,
                p["outcome"],
                p["decision"],
                p["basis"],
                window,
                actor.to_dict(),
                self.recorded_at(),
            )

        return self._on_case("answer_review", idempotency_key, actor, case_id, p, act)
