"""The registry application's machinery: settings, read model, typed loading, scope targets.

The use cases themselves are plain handlers in one module per concept (``district``,
``communities``, ``party``, ``people``, ``households``, ``archives``, ``teams``, ``zones``),
listed with their permissions in ``registry.usecases``.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from shequ.auth import Target
from shequ.domainapp import DomainApplication
from shequ.errors import Conflict
from shequ.store import Store
from sqlalchemy import select

from registry import tables as t
from registry.domain import (
    Community,
    District,
    Household,
    PartyOrganisation,
    Person,
    ResponsibilityZone,
    ServiceTeam,
    Village,
)
from registry.domain.common import NAMESPACE, natural_id
from registry.projections import RegistryProjection
from registry.settings import RegistrySettings

LOCAL = ZoneInfo("Asia/Shanghai")


def today() -> str:
    """Today's civil date where the district is (dates of record are local dates)."""
    return dt.datetime.now(LOCAL).date().isoformat()


def key_id(kind: str, idempotency_key: str) -> UUID:
    """An id for something with no natural key, stable under retries of the same command."""
    return uuid5(NAMESPACE, f"{kind}:key:{idempotency_key}")


class RegistryBase(DomainApplication):
    """The registry application's machinery; its use cases are in ``registry.usecases``."""

    name = "registry"

    def __init__(
        self,
        store: Store,
        settings: RegistrySettings | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        super().__init__(store, env)
        self.settings = settings or RegistrySettings()

    def make_projection(self) -> RegistryProjection:
        return RegistryProjection()

    def ensure_new(self, agg_id: UUID, label_zh: str, field: str) -> None:
        """Refuse to create what already exists (a natural key used twice)."""
        try:
            self.repository.get(agg_id)
        except AggregateNotFoundError:
            return
        raise Conflict(
            f"{label_zh}已存在", f"{field}: already registered", field, code="already_exists"
        )

    def exists(self, agg_id: UUID) -> bool:
        try:
            self.repository.get(agg_id)
        except AggregateNotFoundError:
            return False
        return True

    # -- facts about scope -----------------------------------------------------------------
    def district(self) -> District:
        return self.get(natural_id("district"), District, "区", "district")  # type: ignore

    def community(self, community_id: str, field: str = "community_id") -> Community:
        return self.get(UUID(community_id), Community, "社区", field)  # type: ignore

    def village(self, village_id: str, field: str = "village_id") -> Village:
        return self.get(UUID(village_id), Village, "村", field)  # type: ignore[no-any-return]

    def person(self, person_id: str, field: str = "person_id") -> Person:
        return self.get(UUID(person_id), Person, "人员", field)  # type: ignore[no-any-return]

    def household_agg(self, household_id: str) -> Household:
        return self.get(UUID(household_id), Household, "户", "household_id")  # type: ignore

    def organisation(
        self, organisation_id: str, field: str = "organisation_id"
    ) -> PartyOrganisation:
        return self.get(UUID(organisation_id), PartyOrganisation, "党组织", field)  # type: ignore

    def team(self, team_id: str) -> ServiceTeam:
        return self.get(UUID(team_id), ServiceTeam, "服务队", "team_id")  # type: ignore

    def zone(self, party_member_id: str) -> ResponsibilityZone:
        return self.get(  # type: ignore[no-any-return]
            ResponsibilityZone.create_id(party_member_id),
            ResponsibilityZone,
            "党员责任区",
            "party_member_id",
        )

    def village_target(self, village_id: str | None) -> Target:
        """Scope of something in a village: its community, and that community's team."""
        if village_id is None:
            return Target()
        return self.community_target(self.village(village_id).community_id)

    def community_target(self, community_id: str | None) -> Target:
        """Scope of something in a community; team members of that community are assigned."""
        return Target(
            community_id=community_id, assigned_to=frozenset(self.team_member_ids(community_id))
        )

    def team_member_ids(self, community_id: str | None) -> list[str]:
        if community_id is None:
            return []
        m, tm = t.team_members, t.teams
        with self.read() as c:
            return list(
                c.execute(
                    select(m.c.person_id)
                    .join(tm, tm.c.id == m.c.team_id)
                    .where(tm.c.community_id == community_id)
                ).scalars()
            )

    def household_target(self, household_id: str) -> Target:
        """Scope of a household: its community, its team and linked party member, itself."""
        household = self.household_agg(household_id)
        base = self.village_target(household.village_id)
        with self.read() as c:
            linked = c.execute(
                select(t.links.c.party_member_id).where(t.links.c.household_id == household_id)
            ).scalars()
            assigned = base.assigned_to | frozenset(linked)
        return Target(
            community_id=base.community_id, household_id=household_id, assigned_to=assigned
        )
