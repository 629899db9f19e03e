"""Rewards and support (奖励扶持) and exemplary communities (示范社区), both decided by the
district and published as events."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from assessment.domain.common import ActorDict, natural_id


class Reward(Aggregate):
    """A reward to a community: an amount in integer fen (RULES §2: money is exact)."""

    id: UUID

    @event("Granted")
    def __init__(
        self,
        community_id: str,
        amount_fen: int,
        reason: str,
        period_id: str | None,
        granted_on: str,
        actor: ActorDict,
    ) -> None:
        self.community_id = community_id
        self.amount_fen = amount_fen
        self.reason = reason
        self.period_id = period_id
        self.granted_on = granted_on


class Exemplar(Aggregate):
    """A community designated exemplary (示范社区) for a year; once per community and year."""

    @staticmethod
    def create_id(community_id: str, year: int) -> UUID:
        return natural_id("exemplar", community_id, str(year))

    @event("Designated")
    def __init__(
        self, community_id: str, year: int, reason: str, designated_on: str, actor: ActorDict
    ) -> None:
        self.community_id = community_id
        self.year = year
        self.reason = reason
        self.designated_on = designated_on
