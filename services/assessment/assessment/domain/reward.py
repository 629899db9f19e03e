"""Rewards and support (奖励扶持) and exemplary communities (示范社区), both decided by the
district and published as events."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate
from shequ.domainkit import ActorDict

from assessment.domain.common import IDS


@dataclass
class Reward(Aggregate, created_event_name="Granted"):
    """A reward to a community: an amount in integer fen (RULES §2: money is exact)."""

    id: UUID
    community_id: str
    amount_fen: int
    reason: str
    period_id: str | None
    granted_on: str
    actor: ActorDict


@dataclass
class Exemplar(Aggregate, created_event_name="Designated"):
    """A community designated exemplary (示范社区) for a year; once per community and year."""

    community_id: str
    year: int
    reason: str
    designated_on: str
    actor: ActorDict

    create_id = IDS.keyed_by("exemplar", "community_id", "year")
