"""Use cases: survey and visit rounds (调研走访), visit logs, opinions collected."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import ValidationError
from shequ.validation import (
    check_choice,
    check_date,
    check_uuid,
    optional_text,
    require_text,
)
from sqlalchemy import func, select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.checks import check_ids, check_opinions
from outreach.domain import Household, Opinion, Visit, VisitRound
from outreach.domain.common import key_id, natural_id, violation
from outreach.domain.visits import CATEGORIES, ROUND_KINDS


class VisitCommands(OutreachBase):
    """Rounds per community and period, with assignees and household lists."""

    def round(self, round_id: str) -> VisitRound:
        return self.get(UUID(round_id), VisitRound, "走访轮次", "round_id")  # type: ignore

    def open_round(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        community_id: str,
        title: str,
        period_start: str,
        period_end: str,
        assignees: list[str],
        kind: str = "visit",
        village_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """Open a round over every household of the community (or of the given villages),
        assigned to service-team members of the community."""
        p: dict[str, Any] = {
            "community_id": check_uuid(community_id, "community_id"),
            "title": require_text(title, "title", "轮次名称", 100),
            "period_start": check_date(period_start, "period_start"),
            "period_end": check_date(period_end, "period_end"),
            "assignees": check_ids(assignees, "assignees", "走访人员"),
            "kind": check_choice(kind, "kind", ROUND_KINDS, "轮次类型"),
            "village_ids": check_ids(village_ids, "village_ids", "村", required=False),
        }
        target = Target(community_id=p["community_id"])
        self.policy.check("open_round", actor, target)

        def decide() -> Any:
            directory = self.directory(p["community_id"])
            members = directory.member_ids() if directory else frozenset()
            outsiders = [a for a in p["assignees"] if a not in members]
            if outsiders:
                raise violation(
                    "assignee_not_team_member",
                    "走访人员须为本社区服务队成员",
                    f"assignees must be members of the community's service team: {outsiders[0]}",
                    "assignees",
                )
            round_id = key_id("round", idempotency_key)
            rnd = VisitRound.open(
                round_id,
                p["community_id"],
                p["title"],
                p["kind"],
                p["period_start"],
                p["period_end"],
                p["assignees"],
                self._round_households(p["community_id"], p["village_ids"]),
                actor.to_dict(),
            )
            return [rnd], {"round_id": str(round_id), "households": len(rnd.households)}

        return self.run("open_round", idempotency_key, actor, target, p, decide)

    def _round_households(self, community_id: str, village_ids: list[str]) -> list[dict[str, str]]:
        h = t.households
        query = select(h.c.id, h.c.village_id).where(h.c.community_id == community_id)
        with self.read() as c:
            if village_ids:
                known = set(
                    c.execute(
                        select(t.villages.c.id).where(
                            t.villages.c.id.in_(village_ids),
                            t.villages.c.community_id == community_id,
                        )
                    ).scalars()
                )
                missing = [v for v in village_ids if v not in known]
                if missing:
                    raise ValidationError(
                        "该村不在此社区",
                        f"village {missing[0]} is not in that community",
                        "village_ids",
                        rule="village.community",
                    )
                query = query.where(h.c.village_id.in_(village_ids))
            return [
                {"household_id": r.id, "village_id": r.village_id}
                for r in c.execute(query.order_by(h.c.id))
            ]

    def log_visit(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        round_id: str,
        household_id: str,
        visited_on: str,
        notes: str = "",
        opinions: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Log a visit to a household of the round by the actor, with the opinions heard;
        each opinion is published for casework."""
        p: dict[str, Any] = {
            "round_id": check_uuid(round_id, "round_id"),
            "household_id": check_uuid(household_id, "household_id"),
            "visited_on": check_date(visited_on, "visited_on"),
            "notes": optional_text(notes, "notes", "走访记录", 2000),
            "opinions": check_opinions(opinions),
        }
        rnd = self.round(p["round_id"])
        target = Target(community_id=rnd.community_id, assigned_to=frozenset(rnd.assignees))

        def decide() -> Any:
            fresh = self.round(p["round_id"])
            village_id = fresh.check_visit(p["household_id"], p["visited_on"])
            if p["visited_on"] > self.today():
                raise violation(
                    "date_in_future",
                    "走访日期不能晚于今天",
                    "the visit date cannot be in the future",
                    "visited_on",
                )
            visit_id = key_id("visit", idempotency_key)
            opinions = self._opinions(
                p["opinions"],
                fresh.community_id,
                village_id,
                p["household_id"],
                "visit",
                str(visit_id),
                actor,
                p["visited_on"],
            )
            visit = Visit(
                id=visit_id,
                round_id=p["round_id"],  # type: ignore[call-arg]
                community_id=fresh.community_id,
                village_id=village_id,
                household_id=p["household_id"],
                visitor_id=actor.person_id,
                visited_on=p["visited_on"],
                notes=p["notes"],
                opinion_ids=[str(o.id) for o in opinions],
                actor=actor.to_dict(),
            )
            return [visit, *opinions], {
                "visit_id": str(visit_id),
                "opinion_ids": [str(o.id) for o in opinions],
            }

        return self.run("log_visit", idempotency_key, actor, target, p, decide)

    def _opinions(
        self,
        items: list[dict[str, str]],
        community_id: str,
        village_id: str | None,
        household_id: str | None,
        channel: str,
        source_id: str,
        actor: Actor,
        on: str,
    ) -> list[Opinion]:
        return [
            Opinion(
                id=natural_id("opinion", source_id, str(i)),  # type: ignore[call-arg]
                community_id=community_id,
                village_id=village_id,
                household_id=household_id,
                category=item["category"],
                text=item["text"],
                channel=channel,
                source_id=source_id,
                collected_by=actor.person_id,
                collected_on=on,
                actor=actor.to_dict(),
            )
            for i, item in enumerate(items)
        ]

    def close_round(self, actor: Actor, idempotency_key: str, *, round_id: str) -> dict[str, Any]:
        """Close a round; its coverage (households visited over its list) is published."""
        p: dict[str, Any] = {"round_id": check_uuid(round_id, "round_id")}
        rnd = self.round(p["round_id"])

        def decide() -> Any:
            fresh = self.round(p["round_id"])
            visited = self.households_visited(p["round_id"])
            fresh.close(self.today(), visited, actor.to_dict())
            return [fresh], {
                "round_id": p["round_id"],
                "households_total": len(fresh.households),
                "households_visited": visited,
            }

        return self.run(
            "close_round", idempotency_key, actor, Target(community_id=rnd.community_id), p, decide
        )

    def households_visited(self, round_id: str) -> int:
        v = t.visits
        with self.read() as c:
            return int(
                c.execute(
                    select(func.count(func.distinct(v.c.household_id))).where(
                        v.c.round_id == round_id
                    )
                ).scalar_one()
            )

    def record_opinion(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        household_id: str,
        category: str,
        text: str,
        channel: str = "contact_card",
    ) -> dict[str, Any]:
        """Record an opinion a household gave outside a visit (a call to a number on its
        contact card, or a survey); it is published for casework."""
        p: dict[str, Any] = {
            "household_id": check_uuid(household_id, "household_id"),
            "category": check_choice(category, "category", CATEGORIES, "意见类别"),
            "text": require_text(text, "text", "意见内容", 1000),
            "channel": check_choice(channel, "channel", ("contact_card", "survey"), "渠道"),
        }
        household = self.household(p["household_id"])

        def decide() -> Any:
            fresh: Household = self.household(p["household_id"])
            source = str(key_id("opinion-source", idempotency_key))
            [opinion] = self._opinions(
                [{"category": p["category"], "text": p["text"]}],
                fresh.community_id,
                fresh.village_id,
                fresh.household_id,
                p["channel"],
                source,
                actor,
                self.today(),
            )
            return [opinion], {"opinion_id": str(opinion.id)}

        return self.run(
            "record_opinion", idempotency_key, actor, self.household_target(household), p, decide
        )
