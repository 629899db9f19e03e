"""The finance application's machinery: loading a village's collective, ledger, vouchers and
disclosures by id (NotFound naming the field), the scope of a village's books (the village for
its finance roles, its community for community staff), and the dates of record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from shequ.actor import Actor
from shequ.app import ConfiguredApplication
from shequ.auth import Target
from shequ.errors import NotFound, ValidationError
from shequ.workcalendar import WorkCalendar, holidays_dir, load_calendar

from finance.domain import (
    Branch,
    Collective,
    Committee,
    Disclosure,
    Ledger,
    Objection,
    Voucher,
)
from finance.projections import FinanceProjection
from finance.settings import FinanceSettings


class FinanceBase(ConfiguredApplication[FinanceSettings]):
    """Finance's settings (``FinanceSettings``) and read model (``FinanceProjection``); the
    handlers of ``finance.usecases`` ask it for what they load and the scope they act on."""

    name = "finance"
    settings_class = FinanceSettings
    projection_class = FinanceProjection
    # a ledger gains two events per voucher posted: loaded from its latest snapshot, it costs
    # the same in its tenth year as in its first (eventsourcing's snapshots, ADR 0029); every
    # 20 events, a posting replays 10 ledger events on average rather than 50 (ADR 0036 §10)
    snapshotting_intervals = {Ledger: 20}  # noqa: RUF012 - eventsourcing declares the type

    # -- loading -----------------------------------------------------------------------------
    def collective(self, village_id: str) -> Collective:
        """The village as the registry told of it, or NotFound (``village_id``)."""
        return self.get(Collective.create_id(village_id), Collective, "村", "village_id")

    def ledger(self, village_id: str) -> Ledger:
        return self.get(Ledger.create_id(village_id), Ledger, "账套", "village_id")

    def voucher(self, voucher_id: str) -> Voucher:
        return self.get(voucher_id, Voucher, "凭证", "voucher_id")

    def disclosure(self, disclosure_id: str) -> Disclosure:
        return self.get(disclosure_id, Disclosure, "财务公开", "disclosure_id")

    def objection(self, objection_id: str) -> Objection:
        return self.get(objection_id, Objection, "质询", "objection_id")

    def two_committees(self, village_id: str, on: str) -> set[str]:
        """Who held a post on the village's two committees (两委) on the day ``on``, as far as
        the registry has told: its party branch and its villagers' committee (村民委员会)."""
        branch_id = self.collective(village_id).branch_id
        bodies = [
            self.find(Branch.create_id(branch_id)) if branch_id else None,
            self.find(Committee.create_id(village_id)),
        ]
        return set().union(*(body.holding(on) for body in bodies if body is not None))

    # -- scope -------------------------------------------------------------------------------
    def village_target(self, village_id: str) -> Target:
        """Scope of a village's books: the village (its finance roles) and its community."""
        collective = self.collective(village_id)
        return Target(community_id=collective.community_id, village_id=village_id)

    def shown(
        self, use_case: str, actor: Actor, aggregate: Any, names: str, **ids: str
    ) -> dict[str, Any]:
        """A query's answer about one aggregate of a village: refused unless the actor may
        read that village's books, then ``ids`` and the attributes ``names`` names (separated
        by spaces)."""
        self.policy.check(use_case, actor, self.village_target(aggregate.village_id))
        return {**ids, **attributes(aggregate, names.split())}

    # -- dates -----------------------------------------------------------------------------
    @cached_property
    def calendar(self) -> WorkCalendar:
        """The suite's one work calendar (``shequ.workcalendar``), with the years an operator
        added (``SHEQU_HOLIDAYS_DIR``)."""
        return load_calendar(holidays_dir())

    def due(self, day: str) -> str:
        """A period's last day as the law counts it (D9): moved past weekends and public
        holidays to the next working day (民法典 Art. 203) unless the district turned
        ``extend_on_rest_day`` off."""
        return self.calendar.extend_to_working_day(day) if self.settings.extend_on_rest_day else day

    def recorded_at(self) -> str:
        """When a fact is typed in: the service's clock (never the caller's), UTC."""
        return self.clock.now().astimezone(dt.UTC).isoformat()

    def not_future(self, day: str, field: str) -> str:
        """A date of record is never after today by the service's clock."""
        if day > self.today():
            raise ValidationError(
                f"日期不能晚于今天（{self.today()}）",
                f"the date may not be after today ({self.today()})",
                field,
                rule="date.future",
            )
        return day


def attributes(aggregate: Any, names: Iterable[str]) -> dict[str, Any]:
    """What a query shows of an aggregate: the named attributes, by name."""
    return {name: getattr(aggregate, name) for name in names}


__all__ = ["FinanceBase", "NotFound", "attributes"]
