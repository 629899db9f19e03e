"""A case (案件): one matter from receipt to closure, with an owner and a deadline.

Every transition is an event carrying its actor. Dates and due dates are decided by the
application (its clock and the deadline engine) and passed in; the aggregate checks that each
transition is allowed from the current state and keeps the rules that need no calendar.
The outcome and the petition procedure live in ``CaseOutcome``, the checks in ``CaseBase``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from casework.domain.case_outcome import CaseOutcome
from casework.domain.common import ActorDict, not_before, violation
from casework.domain.vocabulary import HANDLING, REFUSALS


class Case(CaseOutcome):
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

    # -- intake ----------------------------------------------------------------------------
    def accept(
        self, on: str, due_on: str, actor: ActorDict, recorded_at: str | None = None
    ) -> None:
        """Accept (受理) on the day it happened; for a petition this is the written acceptance
        notice."""
        self._require(("received",), "受理", "accepted")
        not_before(on, self.received_on, "accepted_on", "登记收到之日", "the day it was received")
        self._accepted(on, due_on, on <= (self.due_on or on), self._ctx(), actor, recorded_at)

    @event("Accepted")
    def _accepted(
        self,
        on: str,
        due_on: str,
        notice_on_time: bool,
        ctx: dict[str, Any],
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.state, self.accepted_on = "accepted", on
        self._new_due(due_on, "handle")

    def refuse(
        self,
        on: str,
        reason_code: str,
        reason: str,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        """Refuse with a reason on the day it was decided; a petition's objection of
        non-competence has a time limit."""
        self._require(("received",), "不予受理", "refused")
        not_before(on, self.received_on, "refused_on", "登记收到之日", "the day it was received")
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
        if reason_code == "not_competent" and self.objection_due and on > self.objection_due:
            # 信访工作条例 Art. 31: an objection of non-competence within 5 working days.
            raise violation(
                "petition.objection_late",
                f"异议须在收到信访事项之日起5个工作日内提出（截止{self.objection_due}）",
                f"an objection of non-competence was due by {self.objection_due}",
                "reason_code",
                due_on=self.objection_due,
            )
        self._refused(on, reason_code, reason, self._ctx(), actor, recorded_at)

    @event("Refused")
    def _refused(
        self,
        on: str,
        reason_code: str,
        reason: str,
        ctx: dict[str, Any],
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.state, self.due_on = "refused", None

    # -- routing ---------------------------------------------------------------------------
    def assign(
        self,
        owner_id: str,
        work_group: str,
        reason: str,
        on: str,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        """Give the case a named owner; a reassignment needs a reason."""
        self._require(HANDLING, "交办", "assigned")
        not_before(
            on,
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
        self._assigned(
            owner_id, self.owner_id, work_group, reason, on, self._ctx(), actor, recorded_at
        )

    @event("Assigned")
    def _assigned(
        self,
        owner_id: str,
        previous_owner_id: str | None,
        work_group: str,
        reason: str,
        on: str,
        ctx: dict[str, Any],
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.owner_id, self.work_group = owner_id, work_group
        if owner_id in self.co_handlers:
            self.co_handlers.remove(owner_id)
        if self.state in ("accepted", "reopened"):
            self.state = "assigned"

    def add_co_handler(self, person_id: str, work_group: str, actor: ActorDict) -> None:
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
        self._co_handler_added(person_id, work_group, actor)

    @event("CoHandlerAdded")
    def _co_handler_added(self, person_id: str, work_group: str, actor: ActorDict) -> None:
        self.co_handlers.append(person_id)

    # -- handling --------------------------------------------------------------------------
    def start(self, on: str, actor: ActorDict, recorded_at: str | None = None) -> None:
        self._require(("assigned", "reopened"), "开始办理", "started")
        if self.owner_id is None:
            raise violation("no_owner", "案件尚无承办人", "the case has no owner", "case_id")
        not_before(
            on,
            self.handled_since,
            "started_on",
            "受理（或重新办理）之日",
            "the day it was accepted (or reopened)",
        )
        self._started(on, self._ctx(), actor, recorded_at)

    @event("Started")
    def _started(
        self, on: str, ctx: dict[str, Any], actor: ActorDict, recorded_at: str | None = None
    ) -> None:
        self.state = "in_progress"

    def pause(self, on: str, reason: str, actor: ActorDict) -> None:
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
        self._paused(on, reason, actor)

    @event("Paused")
    def _paused(self, on: str, reason: str, actor: ActorDict) -> None:
        self.paused_since = on

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
        days: int,
        due_on: str,
        reason: str,
        approved_by: str,
        on: str,
        limits: dict[str, int],
        notify: bool,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        """Extend the handling time: counted, capped, approved (on ``on``) by someone else,
        reasoned."""
        self._require(HANDLING, "延期", "extended")
        not_before(on, self.accepted_on, "approved_on", "受理之日", "the day it was accepted")
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
        self._extended(days, due_on, reason, approved_by, on, notify, actor, recorded_at)

    @event("Extended")
    def _extended(
        self,
        days: int,
        due_on: str,
        reason: str,
        approved_by: str,
        on: str,
        resident_notified: bool,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.extensions.append(
            {
                "days": days,
                "reason": reason,
                "approved_by": approved_by,
                "on": on,
                "recorded_at": recorded_at,
                "resident_notified": resident_notified,
            }
        )
        self._new_due(due_on, self.due_kind)

    # -- deadlines -------------------------------------------------------------------------
    def overdue(self, today: str) -> bool:
        return (
            self.is_open
            and self.paused_since is None
            and self.due_on is not None
            and today > self.due_on
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
        self._chased(str(self.due_on), on, self.owner_id, self._ctx(), actor)

    @event("Chased")
    def _chased(
        self,
        due_on: str,
        chased_on: str,
        owner_id: str | None,
        ctx: dict[str, Any],
        actor: ActorDict,
    ) -> None:
        self.chased_for = due_on

    def reprimand(self, on: str, actor: ActorDict) -> None:
        """A reprimand (通报): still overdue some days after the chase."""
        if (
            not self.overdue(on)
            or self.chased_for != self.due_on
            or self.reprimanded_for == self.due_on
        ):
            raise violation(
                "reprimand.not_due",
                "案件未经催办或已通报",
                "the case was not chased or was already reprimanded",
                "case_id",
            )
        self._reprimanded(str(self.due_on), on, self.owner_id, self._ctx(), actor)

    @event("Reprimanded")
    def _reprimanded(
        self,
        due_on: str,
        reprimanded_on: str,
        owner_id: str | None,
        ctx: dict[str, Any],
        actor: ActorDict,
    ) -> None:
        self.reprimanded_for = due_on
