"""Use cases of publicity campaigns (宣传): a topic publicised in some villages of a community,
surveys of awareness, support and participation (知晓率, 支持度, 参与率) per village, the
results published for assessment.

The rules of a campaign (counts within respondents, target villages, its period, published
once) live in ``outreach.domain.campaign``."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Count, Day, Id, Keyed, Text, keyed
from shequ.errors import ValidationError
from sqlalchemy import select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.checks import Ids
from outreach.commands import CampaignChange, CampaignCommand
from outreach.domain import Campaign
from outreach.domain.common import key_id
from outreach.examples import CAMPAIGN, COMMUNITY, VILLAGE


class LaunchCampaign(Keyed):
    """Launch a publicity campaign."""

    title = "开展宣传活动"
    example = keyed(
        "campaign-2025-env",
        community_id=COMMUNITY,
        topic="人居环境整治",
        village_ids=[VILLAGE],
        period_start="2025-04-01",
        period_end="2025-06-30",
    )
    community_id: Id
    topic: Annotated[str, Text(100, "宣传主题")]
    village_ids: Annotated[list[str], Ids("目标村")]
    period_start: Day
    period_end: Day


def launch_campaign(cmd: LaunchCampaign, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Launch a publicity campaign on a topic in some villages of a community."""
    with app.read() as c:
        known = set(
            c.execute(
                select(t.villages.c.id).where(t.villages.c.community_id == cmd.community_id)
            ).scalars()
        )
    outside = [v for v in cmd.village_ids if v not in known]
    if outside:
        raise ValidationError(
            "目标村须在本社区内",
            f"village {outside[0]} is not in that community",
            "village_ids",
            rule="village.community",
        )

    def decide() -> Any:
        campaign_id = key_id("campaign", cmd.idempotency_key)
        # the command's fields are the campaign's
        campaign = Campaign.launch(campaign_id, **cmd.payload(), actor=actor.to_dict())
        return [campaign], {"campaign_id": str(campaign_id)}

    target = Target(community_id=cmd.community_id)
    return app.run("launch_campaign", cmd.idempotency_key, actor, target, cmd.payload(), decide)


class RecordSurvey(CampaignChange):
    """Record a survey in a target village."""

    title = "登记宣传调查"
    example = keyed(
        "survey-2025-env-001",
        campaign_id=CAMPAIGN,
        village_id=VILLAGE,
        respondents=40,
        aware=36,
        support=30,
        participate=20,
        surveyed_on="2025-05-01",
    )
    village_id: Id
    respondents: Annotated[int, Count(1, 100_000, "受访人数")]
    aware: Annotated[int, Count(0, 100_000, "知晓人数")]
    support: Annotated[int, Count(0, 100_000, "支持人数")]
    participate: Annotated[int, Count(0, 100_000, "参与人数")]
    surveyed_on: Day


def record_survey(cmd: RecordSurvey, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Record a survey in a target village: how many residents answered, and how many of
    them knew of the topic, supported it, took part."""

    def campaign() -> Campaign:
        return app.campaign(cmd.campaign_id)

    def survey(fresh: Campaign) -> dict[str, Any]:
        fresh.record_survey(
            cmd.village_id,
            cmd.respondents,
            cmd.aware,
            cmd.support,
            cmd.participate,
            cmd.surveyed_on,
            actor.to_dict(),
        )
        return {"campaign_id": cmd.campaign_id, "village_id": cmd.village_id}

    target = app.community_target(campaign().community_id)
    return app.change("record_survey", cmd, actor, target, campaign, survey)


class PublishCampaignResults(CampaignChange):
    """Publish a campaign's survey results."""

    title = "公布宣传调查结果"
    example = keyed("campaign-2025-env-pub", campaign_id=CAMPAIGN)


def publish_campaign_results(
    cmd: PublishCampaignResults, actor: Actor, app: OutreachBase
) -> dict[str, Any]:
    """Publish the survey results of every surveyed village (for assessment)."""

    def campaign() -> Campaign:
        return app.campaign(cmd.campaign_id)

    def publish(fresh: Campaign) -> dict[str, Any]:
        villages = fresh.publish(app.today(), actor.to_dict())
        return {
            "campaign_id": cmd.campaign_id,
            "results": [{"village_id": v, **fresh.rates(v)} for v in villages],
        }

    target = Target(community_id=campaign().community_id)
    return app.change("publish_campaign_results", cmd, actor, target, campaign, publish)


class CampaignResults(CampaignCommand):
    """A campaign's survey tallies and rates per village."""

    title = "宣传调查结果"
    example: ClassVar[dict[str, Any]] = {"campaign_id": CAMPAIGN}


def campaign_results(cmd: CampaignResults, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """A campaign's survey tallies and rates per village, and whether published."""
    campaign = app.campaign(cmd.campaign_id)
    app.policy.check("campaign_results", actor, app.community_target(campaign.community_id))
    villages = [
        {
            "village_id": village_id,
            "published": village_id in campaign.published,
            **(
                campaign.rates(village_id)
                if campaign.tallies.get(village_id)
                else {"respondents": 0}
            ),
        }
        for village_id in campaign.village_ids
    ]
    return {
        "campaign_id": cmd.campaign_id,
        "topic": campaign.topic,
        "community_id": campaign.community_id,
        "period_start": campaign.period_start,
        "period_end": campaign.period_end,
        "villages": villages,
    }
