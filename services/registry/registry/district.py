"""Use cases of the district (区): setting it up, its leadership team, its organs and cadres."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from shequ.actor import Actor
from shequ.app import Outcome
from shequ.commands import Choice, Day, Id, Keyed, Text, keyed
from shequ.handlers import changes, create, decides

from registry.base import RegistryBase, district_wide, person_exists, the_district
from registry.domain import Community, District
from registry.domain.common import natural_id
from registry.domain.district import ORGAN_KINDS
from registry.examples import COMMUNITY, ORGAN, PERSON


class EstablishDistrict(Keyed):
    """Set up the one district (its id is fixed)."""

    title = "设立区"
    example = keyed("district-setup-2024", name="胶河经济区")
    name: Annotated[str, Text(50, "区名称")]


@decides(district_wide)
def establish_district(cmd: EstablishDistrict, actor: Actor, app: RegistryBase) -> Outcome:
    """Set up the one district. Example: ``name="胶河经济区"``."""
    district_id = natural_id("district")
    app.ensure_new(district_id, "区", "name")
    district = create(District, district_id, cmd, actor)
    return [district], {"district_id": str(district_id)}


class DistrictRoleCommand(Keyed):
    """A command about a person's place in the district's leadership or organs."""

    person_id: Id


class AppointDistrictLeader(DistrictRoleCommand):
    """Add a person to the district leadership team (区工管委领导班子)."""

    title = "任命区工管委领导班子成员"
    example = keyed("leader-2024-0001", person_id=PERSON, title="工管委副主任", since="2024-01-01")
    title_: Annotated[str, Text(50, "职务"), Field(alias="title")]
    since: Day | None = None


@changes(the_district, district_wide, check=person_exists)
def appoint_district_leader(
    cmd: AppointDistrictLeader, actor: Actor, app: RegistryBase, district: District
) -> dict[str, Any]:
    district.appoint_leader(cmd.person_id, cmd.title_, cmd.since or app.today(), actor.to_dict())
    return {"person_id": cmd.person_id}


class EndDistrictLeadership(DistrictRoleCommand):
    """End a person's membership of the district leadership team."""

    title = "免去区领导班子职务"
    example = keyed("leader-end-2025-0001", person_id=PERSON, until="2025-12-31")
    until: Day


@changes(the_district, district_wide)
def end_district_leadership(
    cmd: EndDistrictLeadership, actor: Actor, app: RegistryBase, district: District
) -> dict[str, Any]:
    district.end_leadership(cmd.person_id, cmd.until, actor.to_dict())
    return {"person_id": cmd.person_id}


class EstablishOrgan(Keyed):
    """Add a district organ: a department (区直部门) or a station (站所)."""

    title = "设立区直部门/站所"
    example = keyed("organ-agri-station", name="农业服务站", kind="station")
    name: Annotated[str, Text(100, "机构名称")]
    kind: Annotated[str, Choice(ORGAN_KINDS, "机构类型")]


@changes(the_district, district_wide)
def establish_organ(
    cmd: EstablishOrgan, actor: Actor, app: RegistryBase, district: District
) -> dict[str, Any]:
    """Add a district organ: ``kind`` is department (区直部门) or station (站所)."""
    organ_id = str(natural_id("organ", cmd.name))
    district.establish_organ(organ_id, cmd.name, cmd.kind, actor.to_dict())
    return {"organ_id": organ_id}


class AssignCadre(DistrictRoleCommand):
    """Record a person as a cadre of a district organ, assigned down to a community if given."""

    title = "登记区直机构干部"
    example = keyed(
        "cadre-2024-0001",
        person_id=PERSON,
        organ_id=ORGAN,
        community_id=COMMUNITY,
        since="2024-01-01",
    )
    organ_id: Id
    community_id: Id | None = None
    since: Day | None = None


def _cadre_places_exist(cmd: AssignCadre, app: RegistryBase) -> None:
    person_exists(cmd, app)
    if cmd.community_id:
        app.get(cmd.community_id, Community, "社区", "community_id")


@changes(the_district, district_wide, check=_cadre_places_exist)
def assign_cadre(
    cmd: AssignCadre, actor: Actor, app: RegistryBase, district: District
) -> dict[str, Any]:
    """Record a person as a cadre of an organ, assigned down to a community if given."""
    district.assign_cadre(
        cmd.person_id, cmd.organ_id, cmd.community_id, cmd.since or app.today(), actor.to_dict()
    )
    return {"person_id": cmd.person_id}


class ReleaseCadre(DistrictRoleCommand):
    """End a person's cadre status."""

    title = "解除干部身份"
    example = keyed("cadre-end-2025-0001", person_id=PERSON, until="2025-06-30")
    until: Day


@changes(the_district, district_wide)
def release_cadre(
    cmd: ReleaseCadre, actor: Actor, app: RegistryBase, district: District
) -> dict[str, Any]:
    district.release_cadre(cmd.person_id, cmd.until, actor.to_dict())
    return {"person_id": cmd.person_id}
