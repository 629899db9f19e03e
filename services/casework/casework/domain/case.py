"""A case (案件): one matter from receipt to closure, with an owner and a deadline.

Every transition is an event carrying its actor. Dates and due dates are decided by the
application (its clock and the deadline engine) and passed in; the aggregate checks that each
transition is allowed from the current state and keeps the rules that need no calendar.
One class holds the whole lifecycle (intake, routing, handling, deadlines, outcome, duplicates
and the petition procedure), its events nested in it (``Case.Resolved``). Events stored while
the case was split over ``CaseBase``/``CaseOutcome``/``Case`` carry topics such as
``casework:CaseOutcome.Resolved``; ``FORMER_TOPICS`` names them, and the application registers
them for the classes here (ADR 0006).
"""

from __future__ import annotations

from dataclasses import field, replace
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import checks

from casework.domain.common import ActorDict, Fact, not_before, record, violation
from casework.domain.vocabulary import (
    HANDLING,
    OPEN,
    OUTCOMES,
    REFUSALS,
    REPLY_FIELDS,
    REVIEW_LEVELS,
    STATES,
)


class Case(Aggregate):
    """A case of any type (诉求, 意见建议, 信访, 矛盾纠纷, 村级重大事项)."""

    id: UUID

    @event("Received")
    def __init__(  # noqa: PLR0913, PLR0917 - the stored event's fields
        self,
        case_type: str,
        category: str,
        channel: str,
        community_id: str,
        village_id: str | None,
        household_id: str | None,
        team_id: str | None,
        work_group: str,
        title: str,
        description: str,
        place: str,
        resident: dict[str, str],
        received_on: str,
        accept_due: str,
        objection_due: str | None,
        origin_opinion_id: str | None,
        duplicate_of: str | None,
        reported_person_ids: list[str],
        petition: dict[str, Any] | None,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        # received_on: the day the matter reached us (the law counts from it); recorded_at:
        # when it was typed in (None in events stored before the two were told apart)
        self.case_type, self.category, self.channel = case_type, category, channel
        self.community_id, self.village_id = community_id, village_id
        self.household_id, self.team_id, self.work_group = household_id, team_id, work_group
        self.title, self.description, self.place = title, description, place
        self.resident = dict(resident)
        self.received_on, self.objection_due = received_on, objection_due
        self.recorded_at = recorded_at
        self.origin_opinion_id, self.duplicate_of = origin_opinion_id, duplicate_of
        self.reported = list(reported_person_ids)
        self.petition = dict(petition or {})
        self.state = "received"
        self.owner_id: str | None = None
        self.co_handlers: list[str] = []
        self.recused: list[str] = []
        self.due_on: str | None = accept_due
        self.due_kind = "accept"
        self.paused_since: str | None = None
        self.extensions: list[dict[str, Any]] = []
        self.chased_for: str | None = None
        self.reprimanded_for: str | None = None
        self.accepted_on: str | None = None
        self.reopened_on: str | None = None
        self.resolved_on: str | None = None
        self.answered_on: str | None = None
        self.reopen_until: str | None = None
        self.rating: int | None = None
        self.outcome: str | None = None
        self.merged_into: str | None = None
        self.absorbed: list[str] = []
        self.materials: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.final = False
        self.reply: dict[str, str] = {}
        self.review_until: str | None = None

    # -- checks ----------------------------------------------------------------------------
    def _require(self, states: tuple[str, ...], action_zh: str, action: str) -> None:
        if self.state not in states:
            raise violation(
                "transition",
                f"案件当前状态为“{STATES[self.state]}”，不能{action_zh}",
                f"a case in state {self.state} cannot be {action}",
                "case_id",
                state=self.state,
                allowed=list(states),
            )

    def _not_paused(self) -> None:
        if self.paused_since is not None:
            raise violation(
                "paused",
                "案件已暂停计时，请先恢复",
                "the case is paused; resume it first",
                "case_id",
            )

    def _may_handle(self, person_id: str, field: str) -> None:
        if person_id in self.reported:
            raise violation(
                "conflict_of_interest",
                "被反映人不得办理反映其本人的案件",
                "a person reported in the case may not handle it",
                field,
            )
        if person_id in self.recused:
            raise violation(
                "recused", "此人已回避本案", "the person has stepped aside from this case", field
            )

    def _ctx(self) -> dict[str, Any]:
        """What a published event needs beside the decision: where the case belongs."""
        return {
            "community_id": self.community_id,
            "team_id": self.team_id,
            "case_type": self.case_type,
            "owner_id": self.owner_id,
        }

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    def _new_due(self, due_on: str | None, kind: str) -> None:
        self.due_on, self.due_kind = due_on, kind
        self.chased_for = self.reprimanded_for = None

    class Dated(Aggregate.Event):
        """What a dated event of a case records beside its decision: the day it happened,
        who, and when it was typed in (None in events stored before it was kept)."""

        on: str
        actor: ActorDict
        recorded_at: str | None = field(default=None, kw_only=True)

    class Handled(Dated):
        """A dated step of the handling that is published: with where the case belongs
        (``ctx``, as it was before the step)."""

        ctx: dict[str, Any]

    def _record(self, dated: type[Dated], f: Fact, *own: Any) -> None:
        """``record`` the event ``dated`` of the fact ``f`` with its own fields; a handling
        step carries the case's context as it was before."""
        context = {"ctx": self._ctx()} if issubclass(dated, Case.Handled) else {}
        record(self, dated, f, *own, **context)

    # -- intake ----------------------------------------------------------------------------
    def accept(self, f: Fact, due_on: str) -> None:
        """Accept (受理) on the day it happened; for a petition this is the written acceptance
        notice."""
        self._require(("received",), "受理", "accepted")
        not_before(f.on, self.received_on, "accepted_on", "登记收到之日", "the day it was received")
        self._record(self.Accepted, f, due_on, f.on <= (self.due_on or f.on))

    class Accepted(Handled):
        due_on: str
        notice_on_time: bool

        def apply(self, case: Case) -> None:
            case.state, case.accepted_on = "accepted", self.on
            case._new_due(self.due_on, "handle")

    def refuse(self, f: Fact, reason_code: str, reason: str) -> None:
        """Refuse with a reason on the day it was decided; a petition's objection of
        non-competence has a time limit."""
        self._require(("received",), "不予受理", "refused")
        not_before(f.on, self.received_on, "refused_on", "登记收到之日", "the day it was received")
        if reason_code not in REFUSALS:
            raise violation(
                "refusal_reason", "不予受理须说明理由类别", "unknown refusal reason", "reason_code"
            )
        if not reason:
            raise violation(
                "refusal_needs_reason",
                "不予受理须说明理由",
                "a refusal must give its reason",
                "reason",
            )
        if reason_code == "not_competent" and self.objection_due and f.on > self.objection_due:
            # 信访工作条例 Art. 31: an objection of non-competence within 5 working days.
            raise violation(
                "petition.objection_late",
                f"异议须在收到信访事项之日起5个工作日内提出（截止{self.objection_due}）",
                f"an objection of non-competence was due by {self.objection_due}",
                "reason_code",
                due_on=self.objection_due,
            )
        self._record(self.Refused, f, reason_code, reason)

    class Refused(Handled):
        reason_code: str
        reason: str

        def apply(self, case: Case) -> None:
            case.state, case.due_on = "refused", None

    # -- routing ---------------------------------------------------------------------------
    def assign(self, f: Fact, owner_id: str, work_group: str, reason: str) -> None:
        """Give the case a named owner; a reassignment needs a reason."""
        self._require(HANDLING, "交办", "assigned")
        not_before(
            f.on,
            self.handled_since,
            "assigned_on",
            "受理（或重新办理）之日",
            "the day it was accepted (or reopened)",
        )
        if owner_id == self.owner_id:
            raise violation(
                "already_owner",
                "此人已是本案承办人",
                "the person already owns the case",
                "owner_id",
            )
        self._may_handle(owner_id, "owner_id")
        if self.owner_id is not None and not reason:
            raise violation(
                "reassign_needs_reason",
                "改派须说明原因",
                "a reassignment must give its reason",
                "reason",
            )
        self._record(self.Assigned, f, owner_id, self.owner_id, work_group, reason)

    class Assigned(Handled):
        owner_id: str
        previous_owner_id: str | None
        work_group: str
        reason: str

        def apply(self, case: Case) -> None:
            case.owner_id, case.work_group = self.owner_id, self.work_group
            if self.owner_id in case.co_handlers:
                case.co_handlers.remove(self.owner_id)
            if case.state in ("accepted", "reopened"):
                case.state = "assigned"

    @event("CoHandlerAdded")
    def _co_handler_added(self, person_id: str, work_group: str, actor: ActorDict) -> None:
        self.co_handlers.append(person_id)

    @checks(_co_handler_added)
    def add_co_handler(self, person_id: str) -> None:
        """Bring in a co-handler (协办人), e.g. from another work group."""
        self._require(HANDLING, "增加协办人", "given co-handlers")
        self._may_handle(person_id, "person_id")
        if person_id == self.owner_id or person_id in self.co_handlers:
            raise violation(
                "already_handler",
                "此人已在办理本案",
                "the person already handles the case",
                "person_id",
            )

    # -- handling --------------------------------------------------------------------------
    def start(self, f: Fact) -> None:
        self._require(("assigned", "reopened"), "开始办理", "started")
        if self.owner_id is None:
            raise violation("no_owner", "案件尚无承办人", "the case has no owner", "case_id")
        not_before(
            f.on,
            self.handled_since,
            "started_on",
            "受理（或重新办理）之日",
            "the day it was accepted (or reopened)",
        )
        self._record(self.Started, f)

    class Started(Handled):
        def apply(self, case: Case) -> None:
            case.state = "in_progress"

    @event("Paused")
    def _paused(self, on: str, reason: str, actor: ActorDict) -> None:
        self.paused_since = on

    @checks(_paused)
    def pause(self, reason: str) -> None:
        """Stop the clock (e.g. waiting for the resident or an appraisal)."""
        self._require(HANDLING, "暂停计时", "paused")
        if self.paused_since is not None:
            raise violation(
                "already_paused", "案件已暂停计时", "the case is already paused", "case_id"
            )
        if not reason:
            raise violation(
                "pause_needs_reason", "暂停须说明原因", "a pause must give its reason", "reason"
            )

    def resume(self, on: str, due_on: str, actor: ActorDict) -> None:
        if self.paused_since is None:
            raise violation("not_paused", "案件未暂停", "the case is not paused", "case_id")
        self._resumed(on, self.paused_since, due_on, actor)

    @event("Resumed")
    def _resumed(self, on: str, paused_on: str, due_on: str, actor: ActorDict) -> None:
        self.paused_since = None
        self._new_due(due_on, self.due_kind)

    def extend(
        self,
        f: Fact,
        days: int,
        due_on: str,
        reason: str,
        approved_by: str,
        limits: dict[str, int],
        notify: bool,
    ) -> None:
        """Extend the handling time: counted, capped, approved (on ``f.on``) by someone else,
        reasoned."""
        self._require(HANDLING, "延期", "extended")
        not_before(f.on, self.accepted_on, "approved_on", "受理之日", "the day it was accepted")
        if len(self.extensions) >= limits["max_count"]:
            raise violation(
                "extension.limit",
                f"延期次数已达上限（{limits['max_count']}次）",
                f"at most {limits['max_count']} extension(s)",
                "days",
            )
        if days > limits["max_days"]:
            raise violation(
                "extension.too_long",
                f"延期不得超过{limits['max_days']}日",
                f"an extension may not exceed {limits['max_days']} days",
                "days",
            )
        if not reason:
            raise violation(
                "extension.needs_reason", "延期须说明理由", "an extension needs a reason", "reason"
            )
        if not approved_by or approved_by == self.owner_id:
            raise violation(
                "extension.needs_approval",
                "延期须经承办人以外的负责人批准",
                "an extension must be approved by someone other than the owner",
                "approved_by",
            )
        self._record(self.Extended, f, days, due_on, reason, approved_by, notify)

    class Extended(Dated):
        days: int
        due_on: str
        reason: str
        approved_by: str
        resident_notified: bool

        def apply(self, case: Case) -> None:
            kept = ("days", "reason", "approved_by", "on", "recorded_at", "resident_notified")
            case.extensions.append({name: getattr(self, name) for name in kept})
            case._new_due(self.due_on, case.due_kind)

    # -- deadlines -------------------------------------------------------------------------
    def overdue(self, today: str) -> bool:
        return (
            self.is_open
            and self.paused_since is None
            and self.due_on is not None
            and today > self.due_on
        )

    class Notice(Aggregate.Event):
        """A notice about the current, missed deadline (``due_on``): whose it is and where
        the case belongs; each kind names its own day."""

        due_on: str
        owner_id: str | None
        ctx: dict[str, Any]
        actor: ActorDict

    class Chased(Notice):
        chased_on: str

        def apply(self, case: Case) -> None:
            case.chased_for = self.due_on

    class Reprimanded(Notice):
        reprimanded_on: str

        def apply(self, case: Case) -> None:
            case.reprimanded_for = self.due_on

    def _notice(self, notice: type[Notice], on: str, actor: ActorDict) -> None:
        day = {self.Chased: "chased_on", self.Reprimanded: "reprimanded_on"}[notice]
        due, owner = str(self.due_on), self.owner_id
        self.trigger_event(
            notice, due_on=due, owner_id=owner, ctx=self._ctx(), actor=actor, **{day: on}
        )

    def chase(self, on: str, actor: ActorDict) -> None:
        """A chase notice (催办) for the current, missed deadline."""
        if not self.overdue(on) or self.chased_for == self.due_on:
            raise violation(
                "chase.not_due",
                "案件未逾期或已催办",
                "the case is not overdue or was chased",
                "case_id",
            )
        self._notice(self.Chased, on, actor)

    def reprimand(self, on: str, actor: ActorDict) -> None:
        """A reprimand (通报): still overdue some days after the chase."""
        chased = self.chased_for == self.due_on
        if not self.overdue(on) or not chased or self.reprimanded_for == self.due_on:
            raise violation(
                "reprimand.not_due",
                "案件未经催办或已通报",
                "the case was not chased or was already reprimanded",
                "case_id",
            )
        self._notice(self.Reprimanded, on, actor)

    # -- outcome ---------------------------------------------------------------------------
    def resolve(
        self, f: Fact, evidence: list[str], outcome: str | None, reply: dict[str, str] | None
    ) -> None:
        """Resolve with evidence on the day it was done; a petition's written reply states
        request, facts, decision and basis, and its outcome (信访工作条例 Art. 32)."""
        self._require(("in_progress",), "办结", "resolved")
        self._not_paused()
        not_before(
            f.on,
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
        self._resolved(f, evidence, outcome, reply)

    @property
    def handled_since(self) -> str | None:
        """The day the current round of handling began: the reopening, else the acceptance."""
        return self.reopened_on or self.accepted_on

    def _resolved(
        self, f: Fact, evidence: list[str], outcome: str | None, reply: dict[str, str] | None
    ) -> None:
        due, on_time = self.due_on, self.due_on is None or f.on <= self.due_on
        self._record(self.Resolved, f, list(evidence), outcome, dict(reply or {}), due, on_time)

    class Resolved(Handled):
        evidence: list[str]
        outcome: str | None
        reply: dict[str, str]
        due_on: str | None
        on_time: bool

        def apply(self, case: Case) -> None:
            case.state, case.resolved_on, case.outcome = "resolved", self.on, self.outcome
            case.reply = self.reply
            case.paused_since = None  # a concluded procedure resolves a paused case too
            case._new_due(None, "none")

    def conclude(self, f: Fact, evidence: list[str]) -> bool:
        """The case's procedure (mediation, village decision) ended on ``f.on``: the case is
        resolved with the procedure's outcome as its evidence. Only a case still being handled
        moves on (once); one resolved, merged or closed meanwhile is left as it is."""
        if self.state not in HANDLING:
            return False
        # never resolved before it was accepted
        self._resolved(replace(f, on=max(f.on, self.accepted_on or f.on)), evidence, None, None)
        return True

    def answer(self, f: Fact, text: str, reopen_until: str, review_until: str | None) -> None:
        """Answer the resident (反馈) on the day they got it; the reopening (and review)
        window starts."""
        self._require(("resolved",), "答复", "answered")
        if not text:
            raise violation(
                "answer.text_required", "答复内容不能为空", "the answer needs a text", "text"
            )
        not_before(f.on, self.resolved_on, "answered_on", "办结之日", "the day it was resolved")
        self._record(self.Answered, f, text, reopen_until, review_until)

    class Answered(Handled):
        text: str
        reopen_until: str
        review_until: str | None

        def apply(self, case: Case) -> None:
            case.state, case.answered_on = "answered", self.on
            case.reopen_until, case.review_until = self.reopen_until, self.review_until

    def rate(self, f: Fact, rating: int, comment: str) -> None:
        """The resident's rating, on the day they gave it (not before the answer)."""
        self._require(("answered",), "评价", "rated")
        if not 1 <= rating <= 5:
            raise violation("rating.range", "评价须为1至5分", "a rating is 1 to 5", "rating")
        not_before(f.on, self.answered_on, "rated_on", "答复之日", "the day of the answer")
        self._record(self.Rated, f, rating, comment)

    class Rated(Handled):
        rating: int
        comment: str

        def apply(self, case: Case) -> None:
            case.state, case.rating = "rated", self.rating

    def confirm(self, on: str, actor: ActorDict) -> None:
        self._require(("rated",), "确认", "confirmed")
        self._confirmed(on, actor)

    @event("Confirmed")
    def _confirmed(self, on: str, actor: ActorDict) -> None:
        self.state = "confirmed"

    def reopen(self, f: Fact, reason: str, due_on: str) -> None:
        """The resident reopens the case (asking on ``f.on``) within the window after the
        answer."""
        self._require(("answered", "rated"), "重新办理", "reopened")
        not_before(f.on, self.answered_on, "reopened_on", "答复之日", "the day of the answer")
        if self.reopen_until is None or f.on > self.reopen_until:
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
        self._record(self.Reopened, f, reason, due_on)

    class Reopened(Handled):
        reason: str
        due_on: str

        def apply(self, case: Case) -> None:
            case.state, case.rating, case.reopened_on = "reopened", None, self.on
            case._new_due(self.due_on, "handle")

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

    @checks(_material_added)
    def add_material(self, material_id: str) -> None:
        if any(m["material_id"] == material_id for m in self.materials):
            raise violation(
                "material.exists", "材料已存在", "material already recorded", "material_id"
            )

    @event("Recused")
    def _recused(self, person_id: str, reason: str, on: str, actor: ActorDict) -> None:
        self.recused.append(person_id)
        if person_id in self.co_handlers:
            self.co_handlers.remove(person_id)
        if person_id == self.owner_id:
            self.owner_id = None
            if self.state in ("assigned", "in_progress"):
                self.state = "accepted"

    @checks(_recused)
    def recuse(self, person_id: str, reason: str) -> None:
        """A handler with a conflict of interest steps aside (信访工作条例 Art. 34)."""
        if person_id in self.recused:
            raise violation(
                "already_recused", "此人已回避", "the person already stepped aside", "person_id"
            )
        if not reason:
            raise violation(
                "recusal_needs_reason", "回避须说明原因", "a recusal needs a reason", "reason"
            )

    # -- petition review (复查, 复核) --------------------------------------------------------
    def request_review(self, f: Fact, level: str, reason: str, due_on: str) -> None:
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
        not_before(f.on, self.answered_on, "requested_on", "答复之日", "the day of the answer")
        until = self.review_until
        if until is None or f.on > until:
            raise violation(
                "review.window_passed",
                f"申请期限已过（截止{until}）",
                f"the request was due by {until}",
                "level",
                due_on=until,
            )
        self._record(self.ReviewRequested, f, level, reason, due_on)

    class ReviewRequested(Dated):
        level: str
        reason: str
        due_on: str

        def apply(self, case: Case) -> None:
            case.reviews.append(
                {
                    "level": self.level,
                    "requested_on": self.on,
                    "recorded_at": self.recorded_at,
                    "due_on": self.due_on,
                    "answered_on": None,
                    "outcome": None,
                }
            )
            case.state = "in_review"
            case._new_due(self.due_on, "review")

    def answer_review(
        self, f: Fact, outcome: str, decision: str, basis: str, window_until: str
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
            f.on,
            self.reviews[-1]["requested_on"],
            "answered_on",
            "申请复查复核之日",
            "the day the review was asked for",
        )
        level = self.reviews[-1]["level"]
        self._record(self.ReviewAnswered, f, level, outcome, decision, basis, window_until)

    class ReviewAnswered(Dated):
        level: str
        outcome: str
        decision: str
        basis: str
        window_until: str

        def apply(self, case: Case) -> None:
            case.reviews[-1].update(answered_on=self.on, outcome=self.outcome)
            case.state, case.outcome, case.answered_on = "answered", self.outcome, self.on
            case.reopen_until = None  # a review answer is not reopened, it is reviewed again
            case.review_until = self.window_until if self.level == "review" else None
            case.final = self.level == "re_review"
            case._new_due(None, "none")

    def visible_materials(self, person_id: str | None) -> list[dict[str, Any]]:
        """Material from a person reporting misconduct never reaches the person reported."""
        if person_id in self.reported:
            return [m for m in self.materials if not m["protected"]]
        return list(self.materials)


# Events declared on ``CaseOutcome`` before the case was one class again (issue 11) were stored
# under ``casework:CaseOutcome.<Event>``; they load as the events of ``Case`` ("CaseBase"
# declared none).
FORMER_TOPICS = {
    f"CaseOutcome.{name}": getattr(Case, name)
    for name in (
        "Resolved",
        "Answered",
        "Rated",
        "Confirmed",
        "Reopened",
        "Closed",
        "Merged",
        "Absorbed",
        "MaterialAdded",
        "Recused",
        "ReviewRequested",
        "ReviewAnswered",
    )
}
