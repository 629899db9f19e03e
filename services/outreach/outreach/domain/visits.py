"""Survey and visit rounds (调研走访), the visits logged in them, and opinions collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from outreach.domain.common import ActorDict, check_period, violation

ROUND_KINDS = {"visit": "走访", "survey": "调研"}
CATEGORIES = {"demand": "诉求", "suggestion": "建议", "opinion": "意见", "dispute": "矛盾纠纷"}
CHANNELS = ("visit", "contact_card", "party_contact", "survey")


@dataclass
class VisitRound(Aggregate, created_event_name="Opened"):
    """A round of visits in one community and period, with assignees and its household list."""

    id: UUID
    community_id: str
    title: str
    kind: str
    period_start: str
    period_end: str
    assignees: list[str]
    households: list[dict[str, str]]  # {household_id, village_id} of each on the list
    actor: ActorDict
    village_of: dict[str, str] = field(init=False)  # household_id -> village_id
    closed: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.village_of = {h["household_id"]: h["village_id"] for h in self.households}

    @classmethod
    def open(
        cls,
        round_id: UUID,
        community_id: str,
        title: str,
        kind: str,
        period_start: str,
        period_end: str,
        assignees: list[str],
        households: list[dict[str, str]],
        actor: ActorDict,
    ) -> VisitRound:
        check_period(period_start, period_end)
        if not households:
            raise violation(
                "round_without_households",
                "该范围内没有可走访的农户",
                "there are no households to visit in that scope",
                "village_ids",
            )
        return cls(
            round_id,
            community_id,
            title,
            kind,
            period_start,
            period_end,
            list(assignees),
            households,
            actor,
        )

    def check_visit(self, household_id: str, visited_on: str) -> str:
        """The household's village, if a visit on ``visited_on`` may be logged in this round."""
        if self.closed:
            raise violation(
                "round_closed",
                "走访轮次已结束，不能再登记走访",
                "the round is closed; no more visits can be logged",
                "round_id",
            )
        if household_id not in self.village_of:
            raise violation(
                "household_not_in_round",
                "该户不在本轮走访名单中",
                "the household is not on this round's list",
                "household_id",
            )
        if not self.period_start <= visited_on <= self.period_end:
            raise violation(
                "visit_outside_period",
                f"走访日期须在本轮期间内（{self.period_start}至{self.period_end}）",
                f"the visit date must lie within the round's period "
                f"({self.period_start} to {self.period_end})",
                "visited_on",
            )
        return self.village_of[household_id]

    def close(self, closed_on: str, households_visited: int, actor: ActorDict) -> None:
        if self.closed:
            raise violation(
                "round_closed", "走访轮次已经结束", "the round is already closed", "round_id"
            )
        self._closed(
            self.community_id,
            self.period_start,
            self.period_end,
            len(self.households),
            households_visited,
            closed_on,
            actor,
        )

    @event("Closed")
    def _closed(
        self,
        community_id: str,
        period_start: str,
        period_end: str,
        households_total: int,
        households_visited: int,
        closed_on: str,
        actor: ActorDict,
    ) -> None:
        self.closed = True


@dataclass
class Visit(Aggregate, created_event_name="Logged"):
    """One visit to one household in a round."""

    id: UUID
    round_id: str
    community_id: str
    village_id: str
    household_id: str
    visitor_id: str
    visited_on: str
    notes: str
    opinion_ids: list[str]
    actor: ActorDict


@dataclass
class Opinion(Aggregate, created_event_name="Collected"):
    """A resident's opinion, demand or suggestion taken down by a cadre; casework opens one
    case for it and tells us the case id."""

    id: UUID
    community_id: str
    village_id: str | None
    household_id: str | None
    category: str
    text: str
    channel: str
    source_id: str
    collected_by: str
    collected_on: str
    actor: ActorDict
    case_id: str | None = field(default=None, init=False)

    def case_opened(self, case_id: str, opened_on: str, actor: ActorDict) -> bool:
        """Record the case opened for this opinion; one case per opinion (a second is not
        recorded, and the caller logs it)."""
        if self.case_id is not None:
            return False
        self._case_opened(case_id, opened_on, actor)
        return True

    @event("CaseOpened")
    def _case_opened(self, case_id: str, opened_on: str, actor: ActorDict) -> None:
        self.case_id = case_id
