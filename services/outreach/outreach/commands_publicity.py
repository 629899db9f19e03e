"""Use cases: publicity campaigns and their surveys (知晓率, 支持度, 参与率)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import ValidationError
from shequ.validation import check_date, check_int, check_uuid, require_text
from sqlalchemy import select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.checks import check_ids
from outreach.domain import Campaign
from outreach.domain.common import key_id


class PublicityCommands(OutreachBase):
    """Campaigns per community and villages; surveys per village; results published."""

    def campaign(self, campaign_id: str) -> Campaign:
        return self.get(UUID(campaign_id), Campaign, "宣传活动", "campaign_id")  # type: ignore

    def launch_campaign(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        community_id: str,
        topic: str,
        village_ids: list[str],
        period_start: str,
        period_end: str,
    ) -> dict[str, Any]:
        """Launch a publicity campaign on a topic in some villages of a community."""
        p: dict[str, Any] = {
            "community_id": check_uuid(community_id, "community_id"),
            "topic": require_text(topic, "topic", "宣传主题", 100),
            "village_ids": check_ids(village_ids, "village_ids", "目标村"),
            "period_start": check_date(period_start, "period_start"),
            "period_end": check_date(period_end, "period_end"),
        }
        with self.read() as c:
            known = set(
                c.execute(
                    select(t.villages.c.id).where(t.villages.c.community_id == p["community_id"])
                ).scalars()
            )
        outside = [v for v in p["village_ids"] if v not in known]
        if outside:
            raise ValidationError(
                "目标村须在本社区内",
                f"village {outside[0]} is not in that community",
                "village_ids",
                rule="village.community",
            )

        def decide() -> Any:
            campaign_id = key_id("campaign", idempotency_key)
            campaign = Campaign.launch(
                campaign_id,
                p["community_id"],
                p["topic"],
                p["village_ids"],
                p["period_start"],
                p["period_end"],
                actor.to_dict(),
            )
            return [campaign], {"campaign_id": str(campaign_id)}

        return self.run(
            "launch_campaign",
            idempotency_key,
            actor,
            Target(community_id=p["community_id"]),
            p,
            decide,
        )

    def record_survey(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        campaign_id: str,
        village_id: str,
        respondents: int,
        aware: int,
        support: int,
        participate: int,
        surveyed_on: str,
    ) -> dict[str, Any]:
        """Record a survey in a target village: how many residents answered, and how many of
        them knew of the topic, supported it, took part."""
        p: dict[str, Any] = {
            "campaign_id": check_uuid(campaign_id, "campaign_id"),
            "village_id": check_uuid(village_id, "village_id"),
            "respondents": check_int(respondents, "respondents", "受访人数", 1, 100_000),
            "aware": check_int(aware, "aware", "知晓人数", 0, 100_000),
            "support": check_int(support, "support", "支持人数", 0, 100_000),
            "participate": check_int(participate, "participate", "参与人数", 0, 100_000),
            "surveyed_on": check_date(surveyed_on, "surveyed_on"),
        }
        campaign = self.campaign(p["campaign_id"])

        def decide() -> Any:
            fresh = self.campaign(p["campaign_id"])
            fresh.record_survey(
                p["village_id"],
                p["respondents"],
                p["aware"],
                p["support"],
                p["participate"],
                p["surveyed_on"],
                actor.to_dict(),
            )
            return [fresh], {"campaign_id": p["campaign_id"], "village_id": p["village_id"]}

        return self.run(
            "record_survey",
            idempotency_key,
            actor,
            self.community_target(campaign.community_id),
            p,
            decide,
        )

    def publish_campaign_results(
        self, actor: Actor, idempotency_key: str, *, campaign_id: str
    ) -> dict[str, Any]:
        """Publish the survey results of every surveyed village (for assessment)."""
        p: dict[str, Any] = {"campaign_id": check_uuid(campaign_id, "campaign_id")}
        campaign = self.campaign(p["campaign_id"])

        def decide() -> Any:
            fresh = self.campaign(p["campaign_id"])
            villages = fresh.publish(self.today(), actor.to_dict())
            return [fresh], {
                "campaign_id": p["campaign_id"],
                "results": [{"village_id": v, **fresh.rates(v)} for v in villages],
            }

        return self.run(
            "publish_campaign_results",
            idempotency_key,
            actor,
            Target(community_id=campaign.community_id),
            p,
            decide,
        )
