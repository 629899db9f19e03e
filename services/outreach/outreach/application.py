"""Outreach's eventsourcing Application: cards, rounds and visits, party-member contact,
publicity, and their queries.

The application holds the machinery (``outreach.base``): settings, clock, typed loading, scope
targets, the read model; and the service's background work (card re-issue in chunks, the daily
sweep of overdue contacts). The use cases are plain handlers listed in ``outreach.usecases``;
``USE_CASES.bind(app)`` runs them in process through the same model and role checks as RPC.
Registry's and casework's events arrive through the reactions in ``reactions``.
"""

from __future__ import annotations

import logging

from eventsourcing.persistence import IntegrityError
from shequ.actor import Actor
from shequ.inbox import Unit
from shequ.topics import pin_topics
from sqlalchemy import select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.cards import CardIssuer, moves_pending, pending
from outreach.domain import AGGREGATES
from outreach.settings import OutreachSettings
from outreach.usecases import USE_CASES

pin_topics("outreach", *AGGREGATES)

log = logging.getLogger(__name__)
REISSUER = {"person_id": "system:outreach-reissuer", "role": "system"}
SWEEPER = Actor(person_id="system:outreach-sweeper", role="system")


class Outreach(OutreachBase):
    """The outreach service's application (联系服务)."""

    name = "outreach"
    policy = USE_CASES.policy

    def reissue_pending(self, limit: int | None = None) -> int:
        """Do one chunk of what large registry changes left to the background: move the
        households of a moved village, then re-issue the cards that still show an old team
        section; returns how many cards were issued. Run by the service's background jobs
        until it returns 0. A chunk is one transaction; a chunk another replica got to first
        fails on the households' versions and is simply skipped."""
        size = limit or self.settings.reissue_chunk
        with self.read() as c:
            moves = moves_pending(c, size)
            ids = [m[0] for m in moves] or pending(c, size)
        if not ids:
            return 0
        cards = CardIssuer(
            self, Unit(self), REISSUER, "village_moved" if moves else "team_section_changed"
        )
        households = cards.load(ids)
        destinations = {m[0]: (m[1], m[2]) for m in moves}
        for household in households:
            if household.household_id in destinations:
                community_id, moved_on = destinations[household.household_id]
                household.moved(community_id, moved_on, REISSUER)
        changed = cards.reissue(households)
        if not changed and not moves:
            log.warning("outreach: %d pending card(s) had nothing to re-issue", len(ids))
            return 0
        try:
            self.save(*(households if moves else changed))
        except IntegrityError:
            log.info("outreach: a re-issue chunk was done concurrently; skipped")
        return max(len(changed), 1)

    def sweep_overdue(self) -> int:
        """Flag overdue contacts in every community, under one idempotency key per community
        and day (run by the service's background jobs; a second run that day writes nothing).
        Returns how many were flagged."""
        today = self.today()
        with self.read() as c:
            communities = list(
                c.execute(select(t.communities.c.id).order_by(t.communities.c.id)).scalars()
            )
        flagged = 0
        for community_id in communities:
            result = USE_CASES.call(
                self,
                "flag_overdue_contacts",
                SWEEPER,
                idempotency_key=f"overdue-sweep:{community_id}:{today}",
                community_id=community_id,
            )
            flagged += len(result["flagged"])
        return flagged


__all__ = ["Outreach", "OutreachSettings"]
