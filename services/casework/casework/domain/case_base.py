"""What every case shares: state checks and the fields the other parts rely on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from casework.domain.common import violation
from casework.domain.vocabulary import OPEN, STATES


class CaseBase(Aggregate):
    """Checks shared by the lifecycle (``Case``) and the outcome (``CaseOutcome``)."""

    if TYPE_CHECKING:  # set by Case.__init__ (no class attributes: they would become fields)
        case_type: str
        community_id: str
        team_id: str | None
        state: str
        owner_id: str | None
        co_handlers: list[str]
        recused: list[str]
        reported: list[str]
        due_on: str | None
        due_kind: str
        paused_since: str | None
        chased_for: str | None
        reprimanded_for: str | None
        reopen_until: str | None
        review_until: str | None
        received_on: str
        accepted_on: str | None
        reopened_on: str | None
        resolved_on: str | None
        answered_on: str | None
        rating: int | None
        outcome: str | None
        reply: dict[str, str]
        merged_into: str | None
        absorbed: list[str]
        materials: list[dict[str, Any]]
        reviews: list[dict[str, Any]]
        final: bool

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
