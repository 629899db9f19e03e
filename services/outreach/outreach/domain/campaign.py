"""Publicity campaigns (宣传) and their surveys: awareness (知晓率), support (支持度) and
participation (参与率) per village (BRIEF: requirements on the rollout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from outreach.domain.common import ActorDict, check_period, violation


@dataclass
class Campaign(Aggregate, created_event_name="Launched"):
    """A topic publicised in some villages of a community over a period."""

    id: UUID
    community_id: str
    topic: str
    village_ids: list[str]
    period_start: str
    period_end: str
    actor: ActorDict
    tallies: dict[str, dict[str, int]] = field(default_factory=dict, init=False)
    published: set[str] = field(default_factory=set, init=False)

    @classmethod
    def launch(
        cls,
        campaign_id: UUID,
        community_id: str,
        topic: str,
        village_ids: list[str],
        period_start: str,
        period_end: str,
        actor: ActorDict,
    ) -> Campaign:
        check_period(period_start, period_end)
        return cls(
            campaign_id, community_id, topic, list(village_ids), period_start, period_end, actor
        )

    def record_survey(
        self,
        village_id: str,
        respondents: int,
        aware: int,
        support: int,
        participate: int,
        surveyed_on: str,
        actor: ActorDict,
    ) -> None:
        if village_id not in self.village_ids:
            raise violation(
                "village_not_targeted",
                "该村不在本次宣传范围内",
                "the village is not a target of this campaign",
                "village_id",
            )
        if village_id in self.published:
            raise violation(
                "results_already_published",
                "该村调查结果已公布，不能再补录",
                "this village's results are already published",
                "village_id",
            )
        if not self.period_start <= surveyed_on <= self.period_end:
            raise violation(
                "survey_outside_period",
                "调查日期须在宣传期间内",
                "the survey date must lie within the campaign period",
                "surveyed_on",
            )
        for name, value in (("aware", aware), ("support", support), ("participate", participate)):
            if value > respondents:
                raise violation(
                    "count_exceeds_respondents",
                    f"{name}人数不能超过受访人数",
                    f"{name} cannot exceed the number of respondents",
                    name,
                )
        self._surveyed(village_id, respondents, aware, support, participate, surveyed_on, actor)

    @event("SurveyRecorded")
    def _surveyed(
        self,
        village_id: str,
        respondents: int,
        aware: int,
        support: int,
        participate: int,
        surveyed_on: str,
        actor: ActorDict,
    ) -> None:
        tally = self.tallies.setdefault(
            village_id, {"respondents": 0, "aware": 0, "support": 0, "participate": 0}
        )
        for key, value in (
            ("respondents", respondents),
            ("aware", aware),
            ("support", support),
            ("participate", participate),
        ):
            tally[key] += value

    def rates(self, village_id: str) -> dict[str, Any]:
        tally = self.tallies[village_id]
        n = tally["respondents"]
        return {
            "respondents": n,
            "awareness": round(tally["aware"] / n, 4),
            "support": round(tally["support"] / n, 4),
            "participation": round(tally["participate"] / n, 4),
        }

    def publish(self, published_on: str, actor: ActorDict) -> list[str]:
        """Publish every surveyed village not yet published; returns their ids."""
        due = [v for v in self.village_ids if v in self.tallies and v not in self.published]
        if not due:
            raise violation(
                "no_results_to_publish",
                "没有尚未公布的调查结果",
                "there are no unpublished survey results",
                "campaign_id",
            )
        for village_id in due:
            r = self.rates(village_id)
            self._published(
                self.community_id,
                village_id,
                self.topic,
                self.period_end,
                r["respondents"],
                r["awareness"],
                r["support"],
                r["participation"],
                published_on,
                actor,
            )
        return due

    @event("ResultsPublished")
    def _published(  # noqa: PLR0913, PLR0917 - the stored event's fields
        self,
        community_id: str,
        village_id: str,
        topic: str,
        period_end: str,
        respondents: int,
        awareness: float,
        support: float,
        participation: float,
        published_on: str,
        actor: ActorDict,
    ) -> None:
        self.published.add(village_id)
