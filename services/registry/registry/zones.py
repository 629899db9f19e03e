"""Use cases of party members' responsibility zones (党员责任区) and household links (党员联户),
and the members who contact fewer households than the local minimum."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.app import Outcome
from shequ.auth import Target
from shequ.commands import Command, Day, Id, Keyed, Note, Text, keyed
from shequ.errors import ValidationError
from shequ.handlers import changes, decides
from sqlalchemy import func, select

from registry import masking
from registry import tables as t
from registry.base import RegistryBase
from registry.domain import Household, Person, ResponsibilityZone, Village
from registry.examples import COMMUNITY, HOUSEHOLD, PARTY_MEMBER, VILLAGE
from registry.fields import EndReason


class AssignZone(Keyed):
    """Give a party member a responsibility zone in a community (optionally one village)."""

    title = "划定党员责任区"
    example = keyed(
        "zone-2024-0001",
        party_member_id=PARTY_MEMBER,
        community_id=COMMUNITY,
        name="东王家村一组",
        village_id=VILLAGE,
    )
    party_member_id: Id
    community_id: Id
    name: Annotated[str, Text(100, "责任区名称")]
    description: Annotated[str, Note(500, "说明")] = ""
    village_id: Id | None = None


def _zone_place(cmd: AssignZone, app: RegistryBase) -> Target:
    """The zone's community, in which its village (if one is named) must lie."""
    if (
        cmd.village_id
        and app.get(cmd.village_id, Village, "村", "village_id").community_id != cmd.community_id
    ):
        raise ValidationError(
            "该村不在此社区", "the village is not in that community", "village_id"
        )
    return Target(community_id=cmd.community_id)


@decides(_zone_place)
def assign_zone(cmd: AssignZone, actor: Actor, app: RegistryBase) -> Outcome:
    zone_id = ResponsibilityZone.create_id(cmd.party_member_id)
    app.ensure_new(zone_id, "党员责任区", "party_member_id")
    member = app.get(cmd.party_member_id, Person, "人员", "party_member_id")
    zone = ResponsibilityZone.assign(
        zone_id,
        cmd.party_member_id,
        member.is_party_member,
        cmd.community_id,
        cmd.village_id,
        cmd.name,
        cmd.description,
        actor.to_dict(),
    )
    return [zone], {"zone_id": str(zone_id)}


class HouseholdLinkCommand(Keyed):
    """A command about a party member's link to a household."""

    party_member_id: Id
    household_id: Id


class LinkHousehold(HouseholdLinkCommand):
    """Link a household to a party member (党员联户)."""

    title = "党员联户"
    example = keyed(
        "link-2024-0001", party_member_id=PARTY_MEMBER, household_id=HOUSEHOLD, since="2024-01-01"
    )
    since: Day | None = None


def link_household(cmd: LinkHousehold, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """Link a household to a party member (at most ``settings.max_households`` each)."""

    def zone() -> ResponsibilityZone:
        return app.zone(cmd.party_member_id)

    target = Target(community_id=zone().community_id)
    # Both ends must be in the actor's scope: the member's zone and the household.
    app.policy.check("link_household", actor, app.household_target(cmd.household_id))

    def link(fresh: ResponsibilityZone) -> dict[str, Any]:
        app.get(cmd.household_id, Household, "户", "household_id")
        fresh.link(
            cmd.household_id,
            cmd.since or app.today(),
            app.settings.max_households,
            _linked_elsewhere(app, cmd.household_id, str(fresh.id)),
            actor.to_dict(),
        )
        return {"zone_id": str(fresh.id), "household_id": cmd.household_id}

    return app.change("link_household", cmd, actor, target, zone, link)


def _linked_elsewhere(app: RegistryBase, household_id: str, zone_id: str) -> bool:
    with app.read() as c:
        other = c.execute(
            select(t.links.c.zone_id).where(t.links.c.household_id == household_id)
        ).scalar()
    return other is not None and other != zone_id


class UnlinkHousehold(HouseholdLinkCommand):
    """End a party member's link to a household."""

    title = "解除党员联户"
    example = keyed(
        "unlink-2025-0001",
        party_member_id=PARTY_MEMBER,
        household_id=HOUSEHOLD,
        until="2025-01-01",
        reason="",
    )
    until: Day
    reason: EndReason = ""


def _zone(cmd: UnlinkHousehold, app: RegistryBase) -> ResponsibilityZone:
    return app.zone(cmd.party_member_id)


def _zones_community(cmd: UnlinkHousehold, app: RegistryBase) -> Target:
    return Target(community_id=_zone(cmd, app).community_id)


@changes(_zone, _zones_community)
def unlink_household(
    cmd: UnlinkHousehold, actor: Actor, app: RegistryBase, zone: ResponsibilityZone
) -> dict[str, Any]:
    zone.unlink(cmd.household_id, cmd.until, cmd.reason, actor.to_dict())
    return {"zone_id": str(zone.id), "household_id": cmd.household_id}


class MembersBelowMinimum(Command):
    """Party members linked to fewer households than the local minimum."""

    title = "联户不足的党员"
    example: ClassVar[dict[str, Any]] = {"community_id": COMMUNITY}
    community_id: Id | None = None


def members_below_minimum(
    cmd: MembersBelowMinimum, actor: Actor, app: RegistryBase
) -> list[dict[str, Any]]:
    """Party members linked to fewer than ``settings.min_households`` households.

    A member belongs to the community of their responsibility zone, or else of their
    village; members with neither (no zone, no village) are listed without a community."""
    community_id = cmd.community_id
    app.policy.check("members_below_minimum", actor, Target(community_id=community_id))
    minimum = app.settings.min_households
    p, v, z, lk = t.persons, t.villages, t.zones, t.links
    count = (
        select(lk.c.party_member_id, func.count().label("n"))
        .group_by(lk.c.party_member_id)
        .subquery()
    )
    zone = (
        select(z.c.party_member_id, func.min(z.c.community_id).label("community_id"))
        .group_by(z.c.party_member_id)
        .subquery()
    )
    community = func.coalesce(zone.c.community_id, v.c.community_id)
    query = (
        select(p.c.id, p.c.name, community, func.coalesce(count.c.n, 0))
        .outerjoin(v, v.c.id == p.c.village_id)
        .outerjoin(zone, zone.c.party_member_id == p.c.id)
        .outerjoin(count, count.c.party_member_id == p.c.id)
        .where(p.c.party_member.is_(True), func.coalesce(count.c.n, 0) < minimum)
        .order_by(community, p.c.name)
    )
    if community_id:
        query = query.where(community == community_id)
    with app.read() as c:
        return [
            {
                "person_id": pid,
                "name": masking.member_name(actor, name),
                "community_id": cid,
                "households": int(n),
                "minimum": minimum,
            }
            for pid, name, cid, n in c.execute(query)
        ]
