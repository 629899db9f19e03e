"""The registry application's machinery: settings, read model, typed loading, scope targets.

The use cases themselves are plain handlers in one module per concept (``district``,
``communities``, ``party``, ``people``, ``households``, ``archives``, ``teams``, ``zones``),
listed with their permissions in ``registry.usecases``.
"""

from __future__ import annotations

from typing import Any

from shequ.app import ConfiguredApplication
from shequ.auth import Target
from sqlalchemy import select

from registry import tables as t
from registry.domain import (
    District,
    Household,
    Person,
    ResponsibilityZone,
    Village,
)
from registry.domain.common import natural_id
from registry.projections import RegistryProjection
from registry.settings import RegistrySettings


class RegistryBase(ConfiguredApplication[RegistrySettings]):
    """The registry application's machinery; its use cases are in ``registry.usecases``."""

    name = "registry"
    settings_class = RegistrySettings
    projection_class = RegistryProjection

    # -- facts about scope -----------------------------------------------------------------
    def district(self) -> District:
        """The one district (its id is the natural key ``district``)."""
        return self.get(natural_id("district"), District, "区", "district")

    def zone(self, party_member_id: str) -> ResponsibilityZone:
        return self.get(
            ResponsibilityZone.create_id(party_member_id),
            ResponsibilityZone,
            "党员责任区",
            "party_member_id",
        )

    def village_target(self, village_id: str | None) -> Target:
        """Scope of something in a village: its community, and that community's team."""
        if village_id is None:
            return Target()
        return self.community_target(self.get(village_id, Village, "村", "village_id").community_id)

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
        household = self.get(household_id, Household, "户", "household_id")
        base = self.village_target(household.village_id)
        with self.read() as c:
            linked = c.execute(
                select(t.links.c.party_member_id).where(t.links.c.household_id == household_id)
            ).scalars()
            assigned = base.assigned_to | frozenset(linked)
        return Target(
            community_id=base.community_id, household_id=household_id, assigned_to=assigned
        )


# -- what a use case acts on (``shequ.handlers.decides`` and ``changes``) -------------------
def district_wide(cmd: Any, app: RegistryBase) -> Target:
    """District-wide scope: for use cases of the district itself."""
    return Target()


def the_district(cmd: Any, app: RegistryBase) -> District:
    return app.district()


def in_community(cmd: Any, app: RegistryBase) -> Target:
    """The scope of the command's ``community_id``."""
    return Target(community_id=cmd.community_id)


def in_village(cmd: Any, app: RegistryBase) -> Target:
    """The scope of the command's ``village_id`` (``RegistryBase.village_target``)."""
    return app.village_target(cmd.village_id)


def person_exists(cmd: Any, app: RegistryBase) -> None:
    """Refuse a command whose ``person_id`` names no person."""
    app.get(cmd.person_id, Person, "人员", "person_id")
