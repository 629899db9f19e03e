"""A party member's pledges for a year (党员承诺践诺制, RULES §5 [local]).

2 to 5 pledges at the start of the year, registered by the branch, published, carried out
(fulfilment evidence), and appraised at year end by self, peers, branch and public; the
weighted rating gives the grade 优秀 / 合格 / 基本合格 / 不合格.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict

from assessment.domain.common import IDS, cents, dec, text, violation

RATERS = {"self": "自评", "peer": "互评", "branch": "支部评议", "public": "群众评议"}
GRADES = {
    "excellent": "优秀",
    "qualified": "合格",
    "basically_qualified": "基本合格",
    "unqualified": "不合格",
}


@dataclass
class PledgeBook(Aggregate, created_event_name="Registered"):
    member_id: str
    member_name: str
    community_id: str
    year: int
    pledges: list[str]
    actor: ActorDict
    evidence: list[list[dict[str, str]]] = field(init=False)  # per pledge, as carried out
    published_on: str | None = field(default=None, init=False)
    appraisal: dict[str, Any] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.evidence = [[] for _ in self.pledges]

    create_id = IDS.keyed_by("pledges", "member_id", "year")

    @classmethod
    def register(
        cls,
        member_id: str,
        member_name: str,
        community_id: str,
        year: int,
        pledges: list[str],
        low: int,
        high: int,
        actor: ActorDict,
    ) -> PledgeBook:
        """Register a member's pledges for the year; their number must be ``low``..``high``."""
        if not low <= len(pledges) <= high:
            raise violation(
                "pledge_count",
                f"每名党员每年承诺须为{low}至{high}项，现为{len(pledges)}项",
                f"a member makes {low} to {high} pledges a year, not {len(pledges)}",
                "pledges",
                low=low,
                high=high,
                count=len(pledges),
            )
        return cls(member_id, member_name, community_id, year, pledges, actor)

    def publish(self, on: str, actor: ActorDict) -> None:
        if self.published_on is not None:
            raise violation(
                "already_published", "承诺已公开", "the pledges are already public", "member_id"
            )
        self._published(self.member_id, self.community_id, self.year, on, actor)

    @event("Published")
    def _published(
        self, member_id: str, community_id: str, year: int, published_on: str, actor: ActorDict
    ) -> None:
        self.published_on = published_on

    def fulfil(self, index: int, evidence: str, on: str, actor: ActorDict) -> None:
        """Evidence that pledge ``index`` (0-based) was carried out (践诺)."""
        self._check_published()
        if not 0 <= index < len(self.pledges):
            raise violation("unknown_pledge", "没有该项承诺", "no pledge with that index", "index")
        self._fulfilled(self.member_id, self.community_id, self.year, index, evidence, on, actor)

    @event("Fulfilled")
    def _fulfilled(
        self,
        member_id: str,
        community_id: str,
        year: int,
        index: int,
        evidence: str,
        on: str,
        actor: ActorDict,
    ) -> None:
        self.evidence[index].append({"evidence": evidence, "on": on})

    def _check_published(self) -> None:
        if self.published_on is None:
            raise violation(
                "pledges_not_published",
                "承诺须先公开",
                "the pledges must be published first",
                "member_id",
            )

    def appraise(
        self,
        ratings: dict[str, str],
        weights: dict[str, str],
        thresholds: dict[str, str],
        on: str,
        actor: ActorDict,
    ) -> dict[str, str]:
        """The year-end appraisal: the weighted rating and its grade, once."""
        self._check_published()
        if self.appraisal is not None:
            raise violation(
                "already_appraised", "本年度已评议", "already appraised this year", "member_id"
            )
        score = cents(sum((dec(ratings[r]) * dec(weights[r]) for r in RATERS), Decimal(0)))
        grade = grade_for(score, thresholds)
        self._appraised(
            self.member_id,
            self.community_id,
            self.year,
            dict(ratings),
            text(score),
            grade,
            on,
            actor,
        )
        return {"score": text(score), "grade": grade, "grade_zh": GRADES[grade]}

    @event("Appraised")
    def _appraised(
        self,
        member_id: str,
        community_id: str,
        year: int,
        ratings: dict[str, str],
        score: str,
        grade: str,
        on: str,
        actor: ActorDict,
    ) -> None:
        self.appraisal = {"ratings": ratings, "score": score, "grade": grade, "on": on}


def grade_for(score: Decimal, thresholds: dict[str, str]) -> str:
    """优秀 from ``excellent`` up, 合格 from ``qualified``, 基本合格 from
    ``basically_qualified``, else 不合格."""
    for grade in ("excellent", "qualified", "basically_qualified"):
        if score >= dec(thresholds[grade]):
            return grade
    return "unqualified"
