"""What every outreach use case shares: policy, settings, clock, read model, scope targets."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from shequ.actor import Actor
from shequ.app import Outcome, ServiceApplication
from shequ.auth import Target
from shequ.db import make_engine
from shequ.errors import NotFound
from shequ.projection import Projector
from shequ.store import Store
from sqlalchemy import select
from sqlalchemy.engine import Connection

from outreach import tables as t
from outreach.domain import Directory, Household
from outreach.domain.common import NAMESPACE
from outreach.policy import POLICY
from outreach.projections import OutreachProjection
from outreach.settings import OutreachSettings

LOCAL = ZoneInfo("Asia/Shanghai")
Clock = Callable[[], str]


def local_today() -> str:
    """Today's civil date where the district is (dates of record are local dates)."""
    return dt.datetime.now(LOCAL).date().isoformat()


def key_id(kind: str, idempotency_key: str) -> UUID:
    """An id for something with no natural key, stable under retries of the same command."""
    return uuid5(NAMESPACE, f"{kind}:key:{idempotency_key}")


class OutreachBase(ServiceApplication):
    """The outreach application's machinery; use cases live in the mixins of ``Outreach``."""

    name = "outreach"
    policy = POLICY

    def __init__(self, store: Store, settings: OutreachSettings | None = None,
                 clock: Clock | None = None, env: dict[str, str] | None = None) -> None:
        super().__init__(store, env)
        self.settings = settings or OutreachSettings()
        self.clock: Clock = clock or local_today
        self._projector: Projector | None = None
        # Two greenlets building the projector at once would each get one, and both would
        # apply the same page (duplicate rows); it cannot be built here, inside the platform's
        # schema lock, because it takes that lock itself.
        self._projector_lock = threading.Lock()

    def close(self) -> None:
        if self._projector is not None:
            self._projector.engine.dispose()
        super().close()

    def today(self) -> str:
        return self.clock()

    # -- read model ------------------------------------------------------------------------
    @property
    def projector(self) -> Projector:
        with self._projector_lock:
            if self._projector is None:
                self._projector = Projector(self, OutreachProjection(),
                                            make_engine(self.store))
            return self._projector

    def read(self) -> Connection:
        """A connection to the read model, caught up with every event stored so far."""
        self.projector.catch_up()
        return self.projector.engine.connect()

    # -- commands --------------------------------------------------------------------------
    def run(self, command: str, key: str, actor: Actor, target: Target,
            payload: Mapping[str, Any], decide: Callable[[], Outcome]) -> Any:
        """Authorise, then execute once per idempotency key (validation has happened already)."""
        self.policy.check(command, actor, target)
        return self.execute(command, key, actor, payload, decide)

    # -- facts about scope -----------------------------------------------------------------
    def household(self, household_id: str, field: str = "household_id") -> Household:
        return self.get(Household.create_id(household_id), Household, "户",  # type: ignore
                        field)

    def directory(self, community_id: str) -> Directory | None:
        try:
            return self.get(Directory.create_id(community_id), Directory, "社区",  # type: ignore
                            "community_id")
        except NotFound:  # registry has not told us of this community (yet)
            return None

    def community_target(self, community_id: str, *extra: str) -> Target:
        """Scope of something in a community: its team members are assigned to it."""
        directory = self.directory(community_id)
        members = directory.member_ids() if directory else frozenset()
        return Target(community_id=community_id, assigned_to=members | frozenset(extra))

    def household_target(self, household: Household) -> Target:
        """Scope of a household: its community, its team, its linked party member, itself."""
        base = self.community_target(household.community_id)
        linked = frozenset([household.party_member_id] if household.party_member_id else [])
        return Target(community_id=household.community_id, household_id=household.household_id,
                      assigned_to=base.assigned_to | linked)

    def village_community(self, village_id: str) -> str | None:
        with self.read() as c:
            return c.execute(select(t.villages.c.community_id)
                             .where(t.villages.c.id == village_id)).scalar()
