"""What every casework use case shares: policy, settings, clock, calendar, read model, routing."""
from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from shequ.actor import Actor
from shequ.app import Outcome, ServiceApplication
from shequ.auth import Target
from shequ.db import make_engine
from shequ.errors import Forbidden, NotFound
from shequ.projection import Projector
from shequ.store import Store
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from casework import tables as t
from casework.domain import Case, Mediation, VillageDecision
from casework.domain.calendar import WorkCalendar
from casework.domain.common import NAMESPACE, violation
from casework.policy import POLICY
from casework.projections import CaseworkProjection
from casework.settings import CaseworkSettings, load_calendar

LOCAL = ZoneInfo("Asia/Shanghai")
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def key_id(kind: str, idempotency_key: str) -> UUID:
    """An id for something with no natural key, stable under retries of the same command."""
    return uuid5(NAMESPACE, f"{kind}:key:{idempotency_key}")


class CaseworkBase(ServiceApplication):
    """The casework application's machinery; use cases live in the mixins of ``Casework``."""

    name = "casework"
    policy = POLICY

    def __init__(self, store: Store, settings: CaseworkSettings | None = None,
                 env: dict[str, str] | None = None, clock: Clock | None = None,
                 calendar: WorkCalendar | None = None) -> None:
        super().__init__(store, env)
        self.settings = settings or CaseworkSettings()
        self.clock: Clock = clock or system_clock
        self.calendar = calendar or load_calendar()
        self._projector: Projector | None = None
        self._projector_lock = threading.Lock()

    def close(self) -> None:
        if self._projector is not None:
            self._projector.engine.dispose()
        super().close()

    def today(self) -> str:
        """Today's civil date in the district (dates of record are local dates)."""
        return self.clock().astimezone(LOCAL).date().isoformat()

    # -- read model ------------------------------------------------------------------------
    @property
    def projector(self) -> Projector:
        """The read-model projector, built once: concurrent first uses (workers, inboxes)
        must share it, or two projectors would apply the same page at once."""
        if self._projector is None:
            with self._projector_lock:
                if self._projector is None:
                    self._projector = Projector(self, CaseworkProjection(),
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

    def exists(self, agg_id: UUID) -> bool:
        try:
            self.repository.get(agg_id)
        except AggregateNotFoundError:
            return False
        return True

    def load_case(self, case_id: str, field: str = "case_id") -> Case:
        return self.get(UUID(case_id), Case, "案件", field)  # type: ignore[no-any-return]

    def mediation(self, case_id: str) -> Mediation:
        return self.get(Mediation.create_id(case_id), Mediation, "调解", "case_id")  # type: ignore

    def decision(self, case_id: str) -> VillageDecision:
        return self.get(VillageDecision.create_id(case_id), VillageDecision,  # type: ignore
                        "村级重大事项", "case_id")

    def case_target(self, case: Case) -> Target:
        """A case's scope: its community and household; its owner and co-handlers."""
        return Target(community_id=case.community_id, household_id=case.household_id,
                      assigned_to=frozenset([p for p in [case.owner_id, *case.co_handlers]
                                             if p]))

    def guard(self, actor: Actor, case: Case) -> None:
        """A person reported in a case never sees or touches it (信访工作条例 Art. 43)."""
        if actor.person_id in case.reported:
            raise Forbidden("被反映人不得查阅或处理反映其本人的材料",
                            "a person reported in a case may not see or act on it", "actor",
                            code="reported_person")

    # -- the directory (registry facts) ----------------------------------------------------
    def community_of(self, c: Connection, community_id: str) -> dict[str, Any]:
        row = c.execute(select(t.communities).where(t.communities.c.id == community_id)
                        ).mappings().first()
        if row is None:
            raise NotFound(f"未找到社区：{community_id}", f"no community {community_id}",
                           "community_id")
        return dict(row)

    def team_member_ids(self, c: Connection, community_id: str) -> list[str]:
        m, tm = t.team_members, t.teams
        return list(c.execute(select(m.c.person_id).join(tm, tm.c.id == m.c.team_id)
                              .where(tm.c.community_id == community_id)).scalars())

    def route(self, community_id: str, group: str,
              exclude: list[str] | None = None) -> tuple[str | None, str | None]:
        """(team, owner): the work group's member with the fewest open cases, then the
        longest-serving, then by id; None if the group has no member."""
        m, tm, cs = t.team_members, t.teams, t.cases
        with self.read() as c:
            team = c.execute(select(tm.c.id).where(tm.c.community_id == community_id)).scalar()
            if team is None:
                return None, None
            load = (select(cs.c.owner_id, func.count().label("n"))
                    .where(cs.c.state.in_(("assigned", "in_progress", "reopened", "accepted")))
                    .group_by(cs.c.owner_id).subquery())
            rows = c.execute(select(m.c.person_id, func.coalesce(load.c.n, 0).label("n"))
                             .outerjoin(load, load.c.owner_id == m.c.person_id)
                             .where(m.c.team_id == team, m.c.group_key == group)
                             .order_by("n", m.c.since, m.c.person_id)).all()
        for person_id, _n in rows:
            if person_id not in (exclude or []):
                return str(team), str(person_id)
        return str(team), None

    def team_group(self, community_id: str, person_id: str) -> str:
        """The work group of a named owner, who must be on the community's service team."""
        group = self.member_group(community_id, person_id)
        if group is None:
            raise violation("routing.not_team_member", "此人不是本社区服务队成员",
                            "the person is not in the community's service team", "owner_id")
        return group

    def member_group(self, community_id: str, person_id: str) -> str | None:
        m, tm = t.team_members, t.teams
        with self.read() as c:
            return c.execute(select(m.c.group_key).join(tm, tm.c.id == m.c.team_id)
                             .where(tm.c.community_id == community_id,
                                    m.c.person_id == person_id)).scalar()


def loads(text: str | None) -> Any:
    return json.loads(text) if text else []
