"""A case's outcome: resolution with evidence, answer, rating, reopening, closure, merging,
and the petition procedure (review, re-review, recusal, protected material)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from casework.domain.case_base import CaseBase
from casework.domain.common import ActorDict, not_before, violation
from casework.domain.vocabulary import HANDLING, OPEN, OUTCOMES, REPLY_FIELDS, REVIEW_LEVELS


class CaseOutcome(CaseBase):
    """Resolution, answer, rating, reopening, closure, merging; the petition procedure."""

    # -- outcome ---------------------------------------------------------------------------
    def resolve(
        self,
        on: str,
        evidence: list[str],
        outcome: str | None,
        reply: dict[str, str] | None,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        """Resolve with evidence on the day it was done; a petition's written reply states
        request, facts, decision and basis, and its outcome (信访工作条例 Art. 32)."""
        self._require(("in_progress",), "办结", "resolved")
        self._not_paused()
        not_before(
            on,
            self.handled_since,
            "resolved_on",
            "受理（或重新办理）之日",
            "the day it was accepted (or reopened)",
        )
        if not evidence:
            raise violation(
                "resolve.evidence_required",
                "办结须附办理结果的证明材料",
                "a resolution needs evidence",
                "evidence",
            )
        if self.case_type == "petition":
            if outcome not in OUTCOMES:
                raise violation(
                    "petition.outcome_required",
                    "信访答复须写明处理结论：予以支持、解释说明或不予支持",
                    "a petition reply states supported, explained or not_supported",
                    "outcome",
                )
            missing = [f for f in REPLY_FIELDS if not (reply or {}).get(f)]
            if missing:
                raise violation(
                    "petition.reply_incomplete",
                    "信访答复意见书须载明信访人请求、事实、处理决定和依据",
                    f"the petition reply lacks {', '.join(missing)}",
                    f"reply.{missing[0]}",
                    missing=missing,
                )
        on_time = self.due_on is None or on <= self.due_on
        self._resolved(
            on,
            list(evidence),
            outcome,
            dict(reply or {}),
            self.due_on,
            on_time,
            self._ctx(),
            actor,
            recorded_at,
        )

    @property
    def handled_since(self) -> str | None:
        """The day the current round of handling began: the reopening, else the acceptance."""
        return self.reopened_on or self.accepted_on

    @event("Resolved")
    def _resolved(
        self,
        on: str,
        evidence: list[str],
        outcome: str | None,
        reply: dict[str, str],
        due_on: str | None,
        on_time: bool,
        ctx: dict[str, Any],
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.state, self.resolved_on, self.outcome = "resolved", on, outcome
        self.reply = reply
        self.paused_since = None  # a concluded procedure resolves a paused case too
        self._new_due(None, "none")

    def conclude(
        self, on: str, evidence: list[str], actor: ActorDict, recorded_at: str | None = None
    ) -> bool:
        """The case's procedure (mediation, village decision) ended on ``on``: the case is
        resolved with the procedure's outcome as its evidence. Only a case still being handled
        moves on (once); one resolved, merged or closed meanwhile is left as it is."""
        if self.state not in HANDLING:
            return False
        on = max(on, self.accepted_on or on)  # never resolved before it was accepted
        self._resolved(
            on,
            list(evidence),
            None,
            {},
            self.due_on,
            self.due_on is None or on <= self.due_on,
            self._ctx(),
            actor,
            recorded_at,
        )
        return True

    def answer(
        self,
        on: str,
        text: str,
        reopen_until: str,
        review_until: str | None,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        """Answer the resident (反馈) on the day they got it; the reopening (and review)
        window starts."""
        self._require(("resolved",), "答复", "answered")
        if not text:
            raise violation(
                "answer.text_required", "答复内容不能为空", "the answer needs a text", "text"
            )
        not_before(on, self.resolved_on, "answered_on", "办结之日", "the day it was resolved")
        self._answered(on, text, reopen_until, review_until, self._ctx(), actor, recorded_at)

    @event("Answered")
    def _answered(
        self,
        on: str,
        text: str,
        reopen_until: str,
        review_until: str | None,
        ctx: dict[str, Any],
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.state, self.answered_on, self.reopen_until = "answered", on, reopen_until
        self.review_until = review_until

    def rate(
        self, rating: int, comment: str, on: str, actor: ActorDict, recorded_at: str | None = None
    ) -> None:
        """The resident's rating, on the day they gave it (not before the answer)."""
        self._require(("answered",), "评价", "rated")
        if not 1 <= rating <= 5:
            raise violation("rating.range", "评价须为1至5分", "a rating is 1 to 5", "rating")
        not_before(on, self.answered_on, "rated_on", "答复之日", "the day of the answer")
        self._rated(rating, comment, on, self._ctx(), actor, recorded_at)

    @event("Rated")
    def _rated(
        self,
        rating: int,
        comment: str,
        on: str,
        ctx: dict[str, Any],
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.state, self.rating = "rated", rating

    def confirm(self, on: str, actor: ActorDict) -> None:
        self._require(("rated",), "确认", "confirmed")
        self._confirmed(on, actor)

    @event("Confirmed")
    def _confirmed(self, on: str, actor: ActorDict) -> None:
        self.state = "confirmed"

    def reopen(
        self, on: str, reason: str, due_on: str, actor: ActorDict, recorded_at: str | None = None
    ) -> None:
        """The resident reopens the case (asking on ``on``) within the window after the
        answer."""
        self._require(("answered", "rated"), "重新办理", "reopened")
        not_before(on, self.answered_on, "reopened_on", "答复之日", "the day of the answer")
        if self.reopen_until is None or on > self.reopen_until:
            raise violation(
                "reopen.window_passed",
                f"重新办理须在{self.reopen_until}前提出",
                f"reopening was possible until {self.reopen_until}",
                "case_id",
            )
        if not reason:
            raise violation(
                "reopen.needs_reason", "重新办理须说明原因", "reopening needs a reason", "reason"
            )
        self._reopened(on, reason, due_on, self._ctx(), actor, recorded_at)

    @event("Reopened")
    def _reopened(
        self,
        on: str,
        reason: str,
        due_on: str,
        ctx: dict[str, Any],
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.state, self.rating, self.reopened_on = "reopened", None, on
        self._new_due(due_on, "handle")

    def close(self, on: str, actor: ActorDict) -> None:
        """Close: confirmed by the resident, or answered and the reopening window passed."""
        window_passed = self.reopen_until is not None and on > self.reopen_until
        if not (
            self.state == "confirmed" or (self.state in ("answered", "rated") and window_passed)
        ):
            raise violation(
                "close.not_finished",
                "案件须经居民确认或重新办理期限届满后方可关闭",
                "a case closes once confirmed, or after the reopening window",
                "case_id",
                state=self.state,
            )
        self._closed(on, self._ctx(), actor)

    @event("Closed")
    def _closed(self, on: str, ctx: dict[str, Any], actor: ActorDict) -> None:
        self.state = "closed"

    # -- duplicates ------------------------------------------------------------------------
    def merge_into(self, target_id: str, on: str, reason: str, actor: ActorDict) -> None:
        """Close this case as a duplicate of another; its history stays as it is."""
        self._require(OPEN, "合并", "merged")
        if target_id == str(self.id):
            raise violation(
                "merge.self", "不能与自身合并", "a case cannot merge into itself", "into_case_id"
            )
        self._merged(target_id, on, reason, self._ctx(), actor)

    @event("Merged")
    def _merged(
        self, target_id: str, on: str, reason: str, ctx: dict[str, Any], actor: ActorDict
    ) -> None:
        self.state, self.merged_into = "merged", target_id
        self._new_due(None, "none")

    def absorb(self, source_id: str, on: str, actor: ActorDict) -> None:
        self._require(OPEN, "并入其他案件", "given merged cases")
        self._absorbed(source_id, on, actor)

    @event("Absorbed")
    def _absorbed(self, source_id: str, on: str, actor: ActorDict) -> None:
        self.absorbed.append(source_id)

    # -- material, recusal -----------------------------------------------------------------
    def add_material(
        self, material_id: str, title: str, content: str, protected: bool, on: str, actor: ActorDict
    ) -> None:
        if any(m["material_id"] == material_id for m in self.materials):
            raise violation(
                "material.exists", "材料已存在", "material already recorded", "material_id"
            )
        self._material_added(material_id, title, content, protected, on, actor)

    @event("MaterialAdded")
    def _material_added(
        self, material_id: str, title: str, content: str, protected: bool, on: str, actor: ActorDict
    ) -> None:
        self.materials.append(
            {
                "material_id": material_id,
                "title": title,
                "content": content,
                "protected": protected,
                "on": on,
            }
        )

    def recuse(self, person_id: str, reason: str, on: str, actor: ActorDict) -> None:
        """A handler with a conflict of interest steps aside (信访工作条例 Art. 34)."""
        if person_id in self.recused:
            raise violation(
                "already_recused", "此人已回避", "the person already stepped aside", "person_id"
            )
        if not reason:
            raise violation(
                "recusal_needs_reason", "回避须说明原因", "a recusal needs a reason", "reason"
            )
        self._recused(person_id, reason, on, actor)

    @event("Recused")
    def _recused(self, person_id: str, reason: str, on: str, actor: ActorDict) -> None:
        self.recused.append(person_id)
        if person_id in self.co_handlers:
            self.co_handlers.remove(person_id)
        if person_id == self.owner_id:
            self.owner_id = None
            if self.state in ("assigned", "in_progress"):
                self.state = "accepted"

    # -- petition review (复查, 复核) --------------------------------------------------------
    def request_review(
        self,
        level: str,
        on: str,
        reason: str,
        due_on: str,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        """Ask for review within 30 days of the reply, re-review within 30 days of the review
        (信访工作条例 Art. 35)."""
        if self.case_type != "petition":
            raise violation(
                "review.petition_only",
                "只有信访事项可申请复查、复核",
                "only petitions are reviewed",
                "case_id",
            )
        if level not in REVIEW_LEVELS:
            raise violation("review.level", "复查或复核", "level is review or re_review", "level")
        self._require(
            ("answered", "rated", "confirmed", "closed"), "申请复查复核", "put under review"
        )
        done = [r["level"] for r in self.reviews]
        expected = "review" if not done else ("re_review" if done == ["review"] else None)
        if level != expected:
            raise violation(
                "review.order",
                "复查、复核各一次，且复核须在复查之后",
                "one review, then one re-review, in that order",
                "level",
                expected=expected,
            )
        not_before(on, self.answered_on, "requested_on", "答复之日", "the day of the answer")
        until = self.review_until
        if until is None or on > until:
            raise violation(
                "review.window_passed",
                f"申请期限已过（截止{until}）",
                f"the request was due by {until}",
                "level",
                due_on=until,
            )
        self._review_requested(level, on, reason, due_on, actor, recorded_at)

    @event("ReviewRequested")
    def _review_requested(
        self,
        level: str,
        on: str,
        reason: str,
        due_on: str,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.reviews.append(
            {
                "level": level,
                "requested_on": on,
                "recorded_at": recorded_at,
                "due_on": due_on,
                "answered_on": None,
                "outcome": None,
            }
        )
        self.state = "in_review"
        self._new_due(due_on, "review")

    def answer_review(
        self,
        on: str,
        outcome: str,
        decision: str,
        basis: str,
        window_until: str,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self._require(("in_review",), "答复复查复核", "answered on review")
        if outcome not in OUTCOMES or not decision or not basis:
            raise violation(
                "petition.reply_incomplete",
                "复查复核意见须写明结论、决定和依据",
                "a review answer states outcome, decision and basis",
                "outcome",
            )
        not_before(
            on,
            self.reviews[-1]["requested_on"],
            "answered_on",
            "申请复查复核之日",
            "the day the review was asked for",
        )
        self._review_answered(
            self.reviews[-1]["level"],
            on,
            outcome,
            decision,
            basis,
            window_until,
            actor,
            recorded_at,
        )

    @event("ReviewAnswered")
    def _review_answered(
        self,
        level: str,
        on: str,
        outcome: str,
        decision: str,
        basis: str,
        window_until: str,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.reviews[-1].update(answered_on=on, outcome=outcome)
        self.state, self.outcome, self.answered_on = "answered", outcome, on
        self.reopen_until = None  # a review answer is not reopened, it is reviewed again
        self.review_until = window_until if level == "review" else None
        self.final = level == "re_review"
        self._new_due(None, "none")

    def visible_materials(self, person_id: str | None) -> list[dict[str, Any]]:
        """Material from a person reporting misconduct never reaches the person reported."""
        if person_id in self.reported:
            return [m for m in self.materials if not m["protected"]]
        return list(self.materials)
