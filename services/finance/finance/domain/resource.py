"""A collective resource (资源), F5: land, forest, water and the like the collective owns — its
type (the nine of 农经发〔2011〕13号 as data, ``vocabulary.toml``), its area in hundredths of a mu
(亩, integers end to end like fen), where it lies and what it is doing now: available, let under
a contract (the contract that names it as its subject, F6), kept by the collective, or
requisitioned (征收). A resource let under a contract is not let again while that contract runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import checks

from finance.domain.charts import vocabulary
from finance.domain.common import ActorDict, refuse

TYPES: dict[str, str] = vocabulary()["resource_types"]
STATUSES: dict[str, str] = vocabulary()["resource_status"]


@dataclass
class Resource(Aggregate, created_event_name="Registered"):
    """One resource on a village's register (资源登记簿)."""

    id: UUID  # from the key of the command that registered it
    village_id: str
    record: dict[str, Any]  # type, name, area_centimu, location
    registered_on: str
    actor: ActorDict
    status: str = field(default="available", init=False)
    contract_no: str | None = field(default=None, init=False)
    since: str = field(init=False)  # the day of its status

    def __post_init__(self) -> None:
        self.since = self.registered_on

    def check_lettable(self, village_id: str) -> None:
        """A contract names a resource of its own village that nothing else holds now."""
        if village_id != self.village_id or self.status in ("contracted", "requisitioned"):
            raise refuse(
                "contract.subject_unavailable",
                "合同标的须为本村登记在册、未发包且未被征收的资源",
                "the subject is a resource of this village, registered, neither let nor "
                "requisitioned",
                "resource_id",
                status=self.status if village_id == self.village_id else None,
            )

    @event("Let")
    def let(self, contract_no: str, on: str, actor: ActorDict) -> None:
        """Let under the contract ``contract_no`` signed on ``on`` (F6)."""
        self.status = "contracted"
        self.contract_no = contract_no
        self.since = on

    @event("StatusChanged")
    def _status_changed(self, status: str, on: str, reason: str, actor: ActorDict) -> None:
        self.status = status
        self.since = on
        if status != "contracted":
            self.contract_no = None

    @checks(_status_changed)
    def change_status(self, status: str, on: str) -> None:
        """What the resource does now (kept, requisitioned, free again at a contract's end),
        from ``on``; only to another status, and never back from a requisition, and never
        to ``contracted`` except by a contract."""
        if status in (self.status, "contracted") or self.status == "requisitioned":
            raise refuse(
                "resource.status",
                f"资源当前为“{STATUSES[self.status]}”，不能改为“{STATUSES.get(status, status)}”"
                "（发包须签订合同，被征收的资源不再变更）",
                f"the resource is {self.status}: it cannot become {status} (let only by a "
                "contract; a requisitioned resource stays so)",
                "status",
                current=self.status,
            )
        if on < self.since:
            raise refuse(
                "resource.status_date",
                f"变更日期不能早于上次变更（{self.since}）",
                f"the change cannot predate the last one ({self.since})",
                "on",
            )
