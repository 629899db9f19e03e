"""Use cases of communities (社区) and their villages (村): setting up, moving, listing."""

from __future__ import annotations

from typing import Annotated, Any

from shequ.actor import Actor
from shequ.app import Outcome
from shequ.auth import Target
from shequ.commands import Command, Day, Flag, Id, Keyed, Text, keyed
from shequ.handlers import changes, create, decides
from sqlalchemy import select

from registry import tables as t
from registry.base import RegistryBase, district_wide, in_community
from registry.domain import Community, Village
from registry.examples import COMMUNITY, OTHER_COMMUNITY, VILLAGE


class EstablishCommunity(Keyed):
    """Set up a community (社区) in the district."""

    title = "设立社区"
    example = keyed("community-lizhu", name="立柱", name_en="Lizhu")
    name: Annotated[str, Text(50, "社区名称")]
    name_en: Annotated[str, Text(50, "社区英文名")]


@decides(district_wide)
def establish_community(cmd: EstablishCommunity, actor: Actor, app: RegistryBase) -> Outcome:
    """Set up a community. Example: ``name="立柱", name_en="Lizhu"``."""
    community_id = Community.create_id(cmd.name)
    app.ensure_new(community_id, "社区", "name")
    community = create(Community, community_id, cmd, actor, district_id=str(app.district().id))
    return [community], {"community_id": str(community_id)}


class RegisterVillage(Keyed):
    """Register a village (村) in a community."""

    title = "登记村"
    example = keyed(
        "village-dongwangjia", community_id=COMMUNITY, name="东王家村", registered_on="2024-01-01"
    )
    community_id: Id
    name: Annotated[str, Text(50, "村名")]
    sample: Flag = False
    registered_on: Day | None = None


@decides(in_community)
def register_village(cmd: RegisterVillage, actor: Actor, app: RegistryBase) -> Outcome:
    """Register a village in a community. Example: ``name="东王家村（示例）"``."""
    app.get(cmd.community_id, Community, "社区", "community_id")
    village_id = Village.create_id(cmd.name)
    app.ensure_new(village_id, "村", "name")
    village = create(
        Village, village_id, cmd, actor, registered_on=cmd.registered_on or app.today()
    )
    return [village], {"village_id": str(village_id)}


class MoveVillage(Keyed):
    """Move a village to another community from a date (a dated event)."""

    title = "村庄调整隶属社区"
    example = keyed(
        "village-move-2025-0001",
        village_id=VILLAGE,
        to_community_id=OTHER_COMMUNITY,
        effective_date="2025-01-01",
    )
    village_id: Id
    to_community_id: Id
    effective_date: Day


def _village(cmd: MoveVillage, app: RegistryBase) -> Village:
    return app.get(cmd.village_id, Village, "村", "village_id")


def _destination_exists(cmd: MoveVillage, app: RegistryBase) -> None:
    app.get(cmd.to_community_id, Community, "社区", "to_community_id")


@changes(_village, district_wide, check=_destination_exists)
def move_village(
    cmd: MoveVillage, actor: Actor, app: RegistryBase, village: Village
) -> dict[str, Any]:
    """Move a village to another community from ``effective_date`` (a dated event)."""
    village.move(cmd.to_community_id, cmd.effective_date, actor.to_dict())
    return {"village_id": cmd.village_id}


class ListCommunities(Command):
    """Every community with its villages."""

    title = "社区列表"


def communities(cmd: ListCommunities, actor: Actor, app: RegistryBase) -> list[dict[str, Any]]:
    """Every community with its villages (ids for the other queries)."""
    app.policy.check("communities", actor, Target())
    with app.read() as c:
        villages = c.execute(select(t.villages).order_by(t.villages.c.name)).mappings().all()
        return [
            {
                "community_id": r.id,
                "name": r.name,
                "name_en": r.name_en,
                "team_id": r.team_id,
                "villages": [
                    {"village_id": v["id"], "name": v["name"]}
                    for v in villages
                    if v["community_id"] == r.id
                ],
            }
            for r in c.execute(select(t.communities).order_by(t.communities.c.name))
        ]
