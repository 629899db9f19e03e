"""Use cases: contact cards (便民服务联系卡) — distribution to the household."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import IntegrityError
from shequ.actor import Actor
from shequ.inbox import Unit
from shequ.validation import check_date, check_int, check_uuid, require_text

from outreach.base import OutreachBase
from outreach.cards import CardIssuer, moves_pending, pending
from outreach.domain.common import violation

log = logging.getLogger(__name__)
REISSUER = {"person_id": "system:outreach-reissuer", "role": "system"}


class CardCommands(OutreachBase):
    """Cards are issued by the inbox (registry changes); people record their delivery."""

    def record_card_distribution(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        household_id: str,
        version: int,
        acknowledged_by: str,
        distributed_on: str | None = None,
    ) -> dict[str, Any]:
        """Record that the current card version was delivered to the household and who there
        acknowledged it; the deliverer is the actor."""
        p: dict[str, Any] = {
            "household_id": check_uuid(household_id, "household_id"),
            "version": check_int(version, "version", "版本", 1, 1_000_000),
            "acknowledged_by": require_text(acknowledged_by, "acknowledged_by", "签收人", 50),
            "distributed_on": check_date(distributed_on, "distributed_on")
            if distributed_on
            else self.today(),
        }
        household = self.household(p["household_id"])

        def decide() -> Any:
            if p["distributed_on"] > self.today():
                raise violation(
                    "date_in_future",
                    "发放日期不能晚于今天",
                    "the distribution date cannot be in the future",
                    "distributed_on",
                )
            fresh = self.household(p["household_id"])
            fresh.distribute(
                p["version"],
                p["distributed_on"],
                actor.person_id,
                p["acknowledged_by"],
                actor.to_dict(),
            )
            return [fresh], {"card_id": fresh.card_id, "version": p["version"]}

        return self.run(
            "record_card_distribution",
            idempotency_key,
            actor,
            self.household_target(household),
            p,
            decide,
        )

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
