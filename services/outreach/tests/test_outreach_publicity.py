"""Publicity campaigns: awareness (知晓率), support (支持度), participation (参与率) per village,
published for assessment (BRIEF: requirements on the rollout)."""

from __future__ import annotations

from typing import Any

import pytest
from outreach_testing import AUDITOR, STAFF, World
from shequ.actor import Actor
from shequ.errors import Forbidden, RuleViolation, ValidationError


def _campaign(world: World) -> tuple[dict, str, dict]:
    x = world.district(1)
    second = world.village(x["community_id"], "西李家村（示例）")
    done = world.app.launch_campaign(
        STAFF,
        "campaign-0001",
        community_id=x["community_id"],
        topic="人居环境整治",
        village_ids=[x["village_id"], second],
        period_start="2025-04-01",
        period_end="2025-06-30",
    )
    return x, second, done


def _survey(done: dict, village_id: str, counts: tuple[int, ...], on: str) -> dict[str, Any]:
    """``record_survey``'s fields: a survey of the campaign in the village on ``on``; ``counts``
    are the respondents and how many were aware, supported and took part."""
    respondents, aware, support, participate = counts
    return {
        "campaign_id": done["campaign_id"],
        "village_id": village_id,
        "respondents": respondents,
        "aware": aware,
        "support": support,
        "participate": participate,
        "surveyed_on": on,
    }


def test_survey_rates_per_village_are_published_once(world: World):
    x, second, done = _campaign(world)
    member = Actor(person_id=x["members"]["volunteers"], role="team_member")
    for key, counts in (("survey-0001", (40, 36, 30, 20)), ("survey-0002", (10, 9, 8, 4))):
        world.app.record_survey(member, key, **_survey(done, x["village_id"], counts, "2025-05-01"))
    world.clock.set("2025-07-01")
    result = world.app.publish_campaign_results(
        STAFF, "publish-0001", campaign_id=done["campaign_id"]
    )
    assert result["results"] == [
        {
            "village_id": x["village_id"],
            "respondents": 50,
            "awareness": 0.9,
            "support": 0.76,
            "participation": 0.48,
        }
    ]
    [published] = world.published("survey.results_published")
    assert published["awareness"] == 0.9 and published["topic"] == "人居环境整治"
    assert published["period_end"] == "2025-06-30"
    view = world.app.campaign_results(AUDITOR, done["campaign_id"])
    assert [(v["village_id"], v["published"]) for v in view["villages"]] == [
        (x["village_id"], True),
        (second, False),
    ]
    top = world.top()
    with pytest.raises(RuleViolation) as nothing:
        world.app.publish_campaign_results(STAFF, "publish-0002", campaign_id=done["campaign_id"])
    assert nothing.value.code == "rule.no_results_to_publish"
    late_survey = _survey(done, x["village_id"], (5, 5, 5, 5), "2025-06-01")
    with pytest.raises(RuleViolation) as late:
        world.app.record_survey(member, "survey-0003", **late_survey)
    assert late.value.code == "rule.results_already_published"
    assert world.top() == top


def test_survey_rules_and_bad_input_change_nothing(world: World):
    x, _second, done = _campaign(world)
    other = world.district(1)
    top = world.top()
    base = _survey(done, x["village_id"], (10, 5, 5, 5), "2025-05-01")
    for i, (change, code, field) in enumerate(
        (
            ({"aware": 11}, "rule.count_exceeds_respondents", "aware"),
            ({"surveyed_on": "2025-07-01"}, "rule.survey_outside_period", "surveyed_on"),
            ({"village_id": other["village_id"]}, "rule.village_not_targeted", "village_id"),
        )
    ):
        with pytest.raises(RuleViolation) as err:
            world.app.record_survey(STAFF, f"survey-bad-{i:03d}", **{**base, **change})
        assert (err.value.code, err.value.field) == (code, field)
    with pytest.raises(ValidationError) as zero:
        world.app.record_survey(STAFF, "survey-bad-100", **{**base, "respondents": 0})
    assert zero.value.field == "respondents"
    with pytest.raises(ValidationError) as outside:
        world.app.launch_campaign(
            STAFF,
            "campaign-bad-1",
            community_id=x["community_id"],
            topic="x",
            village_ids=[other["village_id"]],
            period_start="2025-01-01",
            period_end="2025-01-02",
        )
    assert outside.value.field == "village_ids"
    stranger = Actor(person_id=other["members"]["volunteers"], role="team_member")
    with pytest.raises(Forbidden):
        world.app.record_survey(stranger, "survey-bad-200", **base)
    assert world.top() == top
