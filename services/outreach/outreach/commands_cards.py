"""Use cases: contact cards (便民服务联系卡) — distribution to the household."""
from __future__ import annotations

from typing import Any

from shequ.actor import Actor
from shequ.validation import check_date, check_int, check_uuid, require_text

from outreach.base import OutreachBase


class CardCommands(OutreachBase):
    """Cards are issued by the inbox (registry changes); people record their delivery."""

    def record_card_distribution(self, actor: Actor, idempotency_key: str, *, household_id: str,
                                 version: int, acknowledged_by: str,
                                 distributed_on: str | None = None) -> dict[str, Any]:
        """Record that the current card version was delivered to the household and who there
        acknowledged it; the deliverer is the actor."""
        p: dict[str, Any] = {"household_id": check_uuid(household_id, "household_id"),
             "version": check_int(version, "version", "版本", 1, 1_000_000),
             "acknowledged_by": require_text(acknowledged_by, "acknowledged_by", "签收人", 50),
             "distributed_on": check_date(distributed_on, "distributed_on")
             if distributed_on else self.today()}
        household = self.household(p["household_id"])

        def decide() -> Any:
            fresh = self.household(p["household_id"])
            fresh.distribute(p["version"], p["distributed_on"], actor.person_id,
                             p["acknowledged_by"], actor.to_dict())
            return [fresh], {"card_id": fresh.card_id, "version": p["version"]}
        return self.run("record_card_distribution", idempotency_key, actor,
                        self.household_target(household), p, decide)
