"""Land requisition compensation (征地补偿, D4): one batch (批次) of the village's land taken by
the state, its area in hundredths of a mu, the compensation paid for it in fen, and how it was
shared: kept by the collective (集体留存) and paid out to households (分配到户) — which add up
to the whole, to the fen. The resource requisitioned, if on the register, is named (F5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from finance.domain.common import IDS, ActorDict, refuse, yuan


@dataclass
class LandCompensation(Aggregate, created_event_name="Recorded"):
    """One batch of land requisition compensation of one village."""

    village_id: str
    batch: str
    terms: dict[str, Any]
    actor: ActorDict

    create_id = IDS.keyed_by("compensation", "village_id", "batch")

    @staticmethod
    def check(total_fen: int, retained_fen: int, distributed_fen: int) -> None:
        """§1.4: what the collective keeps and what goes to households is the whole."""
        if retained_fen + distributed_fen != total_fen:
            difference = retained_fen + distributed_fen - total_fen
            raise refuse(
                "compensation.unbalanced",
                f"集体留存与分配到户合计与补偿总额相差 {yuan(difference)} 元",
                f"retained and distributed differ from the total by {yuan(difference)} yuan",
                "distributed_fen",
                difference_fen=difference,
            )
