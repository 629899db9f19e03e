"""Use cases: rewards and support (奖励扶持) to communities, in integer fen, and exemplary
communities (示范社区), once per community and year; the list of both."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Command, Count, Day, Id, Keyed, Note, Text, keyed
from shequ.errors import NotFound
from sqlalchemy import select

from assessment import tables as t
from assessment.base import AssessmentBase
from assessment.domain import Exemplar, Reward, Subject
from assessment.domain.common import key_id
from assessment.fields import Year

COMMUNITY = "6f1c2a8e-1b2c-4d3e-8f00-000000000001"


def in_lizhu(key: str, **fields: Any) -> dict[str, Any]:
    """The example of a command on the example community: its idempotency key, the
    community, its own fields."""
    return keyed(key, community_id=COMMUNITY, **fields)


class GrantReward(Keyed):
    """A reward and support to a community, in integer fen."""

    title = "奖励扶持"
    example = in_lizhu(
        "reward-2025-lizhu",
        amount_fen=2000000,
        reason="2025年度考核第一名",
        granted_on="2026-01-20",
    )
    community_id: Id
    amount_fen: Annotated[int, Count(1, 10**11, "奖励金额（分）")]
    reason: Annotated[str, Text(500, "奖励理由")]
    granted_on: Day | None = None
    period_id: Id | None = None


class DesignateExemplary(Keyed):
    """Designate a community exemplary for a year."""

    title = "命名示范社区"
    example = in_lizhu("exemplary-2025-lizhu", year=2025, reason="年度考核优秀")
    community_id: Id
    year: Year
    reason: Annotated[str, Note(500, "理由")] = ""
    designated_on: Day | None = None


class Rewards(Command):
    """Rewards and exemplary communities."""

    title = "奖励与示范社区"
    example: ClassVar[dict[str, Any]] = {"year": 2025}
    year: Year | None = None


def grant_reward(cmd: GrantReward, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """A reward and support (奖励扶持) to a community, in integer fen."""
    payload = {**cmd.payload(), "granted_on": cmd.granted_on or app.today()}
    _community_known(app, cmd.community_id)

    def decide() -> Any:
        reward = Reward(
            id=key_id("reward", cmd.idempotency_key),  # type: ignore[call-arg]
            community_id=cmd.community_id,
            amount_fen=cmd.amount_fen,
            reason=cmd.reason,
            period_id=cmd.period_id,
            granted_on=payload["granted_on"],
            actor=actor.to_dict(),
        )
        return [reward], {"reward_id": str(reward.id)}

    return app.run("grant_reward", cmd.idempotency_key, actor, Target(), payload, decide)


def designate_exemplary(
    cmd: DesignateExemplary, actor: Actor, app: AssessmentBase
) -> dict[str, Any]:
    """Designate a community exemplary (示范社区) for a year (once per year)."""
    payload = {
        **cmd.payload(),
        "reason": cmd.reason or "示范社区",
        "designated_on": cmd.designated_on or app.today(),
    }
    _community_known(app, cmd.community_id)

    def decide() -> Any:
        agg_id = Exemplar.create_id(cmd.community_id, cmd.year)
        app.ensure_new(agg_id, "本年度示范社区命名", "community_id")
        exemplar = Exemplar(
            community_id=cmd.community_id,
            year=cmd.year,
            reason=payload["reason"],
            designated_on=payload["designated_on"],
            actor=actor.to_dict(),
        )
        return [exemplar], {"designation_id": str(agg_id)}

    return app.run("designate_exemplary", cmd.idempotency_key, actor, Target(), payload, decide)


def rewards(cmd: Rewards, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """Rewards (amounts in fen) and exemplary communities, optionally of one year."""
    app.policy.check("rewards", actor, Target())
    year = cmd.year
    with app.read() as c:
        granted = c.execute(select(t.rewards).order_by(t.rewards.c.granted_on)).mappings()
        rewards_out = [
            dict(r) for r in granted if year is None or r["granted_on"].startswith(str(year))
        ]
        ex = select(t.exemplars).order_by(t.exemplars.c.year, t.exemplars.c.community_id)
        if year is not None:
            ex = ex.where(t.exemplars.c.year == year)
        exemplars = [dict(r) for r in c.execute(ex).mappings()]
    return {"rewards": rewards_out, "exemplary": exemplars}


def _community_known(app: AssessmentBase, community_id: str) -> None:
    if app.find(Subject.create_id("community", community_id)) is None:
        raise NotFound("未找到社区", "no such community under assessment", "community_id")
