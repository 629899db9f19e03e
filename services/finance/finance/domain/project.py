"""A village construction project (工程项目, D4): its number, what it builds, the budget, how
the builder was chosen (招标方式), the builder and the contract price, citing the village
decision that approved it; settled once with its final account (决算). What was paid comes from
the books: debits to 在建工程 on lines naming its number."""

from __future__ import annotations

from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import checks

from finance.domain.charts import vocabulary
from finance.domain.common import IDS, ActorDict, Numbered, refuse

TENDERS: dict[str, str] = vocabulary()["tender_methods"]


@dataclass
class Project(Numbered, Aggregate, created_event_name="Registered"):
    """One construction project of one village."""

    final_fen: int | None = field(default=None, init=False)
    settled_on: str | None = field(default=None, init=False)

    create_id = IDS.keyed_by("project", "village_id", "number")

    @event("Settled")
    def _settled(self, final_fen: int, settled_on: str, actor: ActorDict) -> None:
        self.final_fen = final_fen
        self.settled_on = settled_on

    @checks(_settled)
    def settle(self, settled_on: str) -> None:
        """决算: once, not before the project was registered."""
        if self.settled_on is not None or settled_on < self.terms["decided_on"]:
            raise refuse(
                "project.not_settleable",
                "工程已决算，或决算日期早于立项",
                "the project is settled already, or the date predates its approval",
                "settled_on",
            )
