"""Outreach's eventsourcing Application: cards, rounds and visits, party-member contact,
publicity, and their queries.

Every command takes ``(actor, idempotency_key, **fields)``, validates its input before anything
is written, checks the policy, and runs through ``execute`` (atomic, idempotent per key).
Registry's and casework's events arrive through the reactions in ``reactions``.
"""

from __future__ import annotations

from shequ.topics import pin_topics

from outreach.commands_cards import CardCommands
from outreach.domain import AGGREGATES
from outreach.queries import Queries
from outreach.settings import OutreachSettings

pin_topics("outreach", *AGGREGATES)


class Outreach(CardCommands, Queries):
    """The outreach service's application (联系服务)."""

    name = "outreach"


__all__ = ["Outreach", "OutreachSettings"]
