"""An objection (质询) to a disclosure or one of its lines, D30–D33.

Filed by a resident for their own household, or by staff taking a villager's objection down;
assigned to whoever answers it; answered within the district's answer days of the day it was
filed (the filing day not counted, 民法典 Art. 201); not answered by then it is overdue, recorded
once; the asker may then take it to the township (村民委员会组织法 Art. 31), which gives it the
answer days again. An answer may cite the correction voucher it led to; the disclosure itself is
never changed (D33)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import checks

from finance.domain.common import ActorDict, refuse

CHANNELS = {
    "board": "公开栏",
    "meeting": "村民会议",
    "phone": "电话",
    "online": "网上",
    "visit": "来访",
}


def answer_due(filed_on: str, days: int) -> str:
    """The last day to answer: ``days`` calendar days after ``filed_on`` (not counted)."""
    return (dt.date.fromisoformat(filed_on) + dt.timedelta(days=days)).isoformat()


@dataclass
class Objection(Aggregate, created_event_name="Filed"):
    """One objection, from its filing to its answer (or its escalation)."""

    id: UUID  # from the idempotency key of the filing
    disclosure_id: str
    village_id: str
    community_id: str
    household_id: str | None
    line: str | None
    text: str
    channel: str
    filed_on: str
    due_on: str
    actor: ActorDict
    assignee_id: str | None = field(default=None, init=False)
    answer: str | None = field(default=None, init=False)
    answered_on: str | None = field(default=None, init=False)
    correction_voucher_id: str | None = field(default=None, init=False)
    # the due dates that passed unanswered
    overdue_since: list[str] = field(default_factory=list, init=False)
    escalated: bool = field(default=False, init=False)

    @property
    def status(self) -> str:
        if self.answer is not None:
            return "answered"
        return "escalated" if self.escalated else "open"

    def _open(self) -> None:
        if self.answer is not None:
            raise refuse(
                "objection.answered",
                "该质询已答复",
                "the objection has been answered already",
                "objection_id",
            )

    @event("Assigned")
    def _assigned(self, assignee_id: str, actor: ActorDict) -> None:
        self.assignee_id = assignee_id

    @checks(_assigned)
    def assign(self) -> None:
        self._open()

    def reply(
        self, answer: str, correction_voucher_id: str | None, on: str, actor: ActorDict
    ) -> None:
        """D31: the answer, shown beside the line; on time if by the due date."""
        self._open()
        self._answered(
            answer,
            correction_voucher_id,
            on,
            on <= self.due_on,
            self.village_id,
            self.community_id,
            actor,
        )

    @event("Answered")
    def _answered(
        self,
        answer: str,
        correction_voucher_id: str | None,
        answered_on: str,
        on_time: bool,
        village_id: str,
        community_id: str,
        actor: ActorDict,
    ) -> None:
        self.answer = answer
        self.answered_on = answered_on
        self.correction_voucher_id = correction_voucher_id

    def overdue_on(self, today: str) -> bool:
        """Whether the objection is past its due date unanswered and not yet recorded so."""
        return self.answer is None and today > self.due_on and self.due_on not in self.overdue_since

    @event("Overdue")
    def record_overdue(
        self, due_on: str, village_id: str, community_id: str, actor: ActorDict
    ) -> None:
        """D32: recorded once per due date that passed unanswered."""
        self.overdue_since.append(due_on)

    @event("Escalated")
    def _escalated(self, on: str, due_on: str, actor: ActorDict) -> None:
        self.escalated = True
        self.due_on = due_on

    @checks(_escalated)
    def escalate(self, on: str) -> None:
        """D32: the asker takes an objection past its due date to the township, which answers
        by ``due_on`` (the answer days again, counted from ``on``)."""
        self._open()
        if on <= self.due_on or self.escalated:
            raise refuse(
                "objection.not_escalable",
                "只有逾期未答复的质询可以提请乡镇处理，且只提请一次",
                "only an objection past its due date unanswered goes to the township, once",
                "objection_id",
                due_on=self.due_on,
            )
