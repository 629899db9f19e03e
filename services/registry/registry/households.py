"""Use cases of households (户): registering, members joining and leaving, a household as of a
day with its contacts, and its dated history."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.app import Outcome
from shequ.auth import Target
from shequ.commands import Choice, Command, Day, Flag, Id, Keyed, Text, keyed
from shequ.handlers import changes, create, decides
from shequ.readlog import Purpose, Sight, sight
from sqlalchemy import select
from sqlalchemy.engine import Connection

from registry import masking
from registry import tables as t
from registry.base import RegistryBase, in_village, person_exists
from registry.domain import Household, Person
from registry.domain.common import natural_id
from registry.domain.household import RELATIONS
from registry.domain.team import GROUPS
from registry.examples import HEAD, HOUSEHOLD, MEMBER, VILLAGE
from registry.history import changes_shown, household_changes, members_on


class RegisterHousehold(Keyed):
    """Register a household with its head (户主); the address down to the villager group."""

    title = "立户登记"
    example = keyed(
        "household-2024-000045",
        village_id=VILLAGE,
        head_id=HEAD,
        address="东王家村第一村民小组",
        since="2024-01-01",
    )
    village_id: Id
    head_id: Id
    address: Annotated[str, Text(100, "地址")]
    since: Day | None = None
    sample: Flag = False


@decides(in_village)
def register_household(cmd: RegisterHousehold, actor: Actor, app: RegistryBase) -> Outcome:
    """Register a household with its head; ``address`` down to the villager group only."""
    app.get(cmd.head_id, Person, "人员", "head_id")
    household_id = natural_id("household", cmd.head_id)
    app.ensure_new(household_id, "以此人为户主的户", "head_id")
    household = create(Household, household_id, cmd, actor, since=cmd.since or app.today())
    return [household], {"household_id": str(household_id)}


class AddHouseholdMember(Keyed):
    """Add a person to a household with their relation to the head."""

    title = "增加家庭成员"
    example = keyed(
        "member-2024-000046",
        household_id=HOUSEHOLD,
        person_id=MEMBER,
        relation="spouse",
        since="2024-01-01",
    )
    household_id: Id
    person_id: Id
    relation: Annotated[str, Choice(RELATIONS, "与户主关系")]
    since: Day | None = None


def _household(cmd: Any, app: RegistryBase) -> Household:
    return app.get(cmd.household_id, Household, "户", "household_id")


def _of_household(cmd: Any, app: RegistryBase) -> Target:
    return app.household_target(cmd.household_id)


@changes(_household, _of_household, check=person_exists)
def add_household_member(
    cmd: AddHouseholdMember, actor: Actor, app: RegistryBase, household: Household
) -> dict[str, Any]:
    household.add_member(cmd.person_id, cmd.relation, cmd.since or app.today(), actor.to_dict())
    return {"household_id": cmd.household_id}


class RemoveHouseholdMember(Keyed):
    """Remove a member from a household (death, marriage out, moving away)."""

    title = "减少家庭成员"
    example = keyed(
        "member-out-2025-000007",
        household_id=HOUSEHOLD,
        person_id=MEMBER,
        until="2025-01-01",
        reason="迁出",
    )
    household_id: Id
    person_id: Id
    until: Day
    reason: Annotated[str, Text(200, "原因")]


@changes(_household, _of_household)
def remove_household_member(
    cmd: RemoveHouseholdMember, actor: Actor, app: RegistryBase, household: Household
) -> dict[str, Any]:
    household.remove_member(cmd.person_id, cmd.until, cmd.reason, actor.to_dict())
    return {"household_id": cmd.household_id}


class HouseholdQuery(Command):
    """A household as of a day, with its members then and its contacts."""

    title = "户信息"
    example: ClassVar[dict[str, Any]] = {"household_id": HOUSEHOLD, "on": "2024-06-01"}
    household_id: Id
    on: Day | None = None
    purpose: Purpose = None


def household(cmd: HouseholdQuery, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """A household as of the day ``on`` (default today): its members then, with the phone
    each had then, and its contacts (team members, linked party member) as of today.

    Members' names, phones and the address are in clear for the household itself, for
    those assigned to it, and for staff who give a ``purpose``; every such read by someone
    else than the household is recorded."""
    household_id, on = cmd.household_id, cmd.on or app.today()
    target = app.household_target(household_id)
    app.policy.check("household", actor, target)
    seen = _sight(actor, household_id, cmd.purpose)
    with app.read() as c:
        h = (
            c.execute(select(t.households).where(t.households.c.id == household_id))
            .mappings()
            .one()
        )
        members = _members(c, seen, household_id, on)
        contacts = _contacts(c, actor, household_id, target.community_id)
    if seen.purpose:
        app.reads.note(
            actor,
            "household",
            household_id,
            seen.purpose,
            {m["person_id"]: m["name"] for m in members},
            ["name", "phone", "address"],
        )
    return {
        "household_id": household_id,
        "on": on,
        "village_id": h["village_id"],
        "community_id": target.community_id,
        "head_id": h["head_id"],
        "address": masking.address(seen, h["address"]),
        "sample": h["sample"],
        "members": members,
        "contacts": contacts,
    }


class HouseholdHistory(Command):
    """Every dated change of a household, oldest first."""

    title = "户变动记录"
    example: ClassVar[dict[str, Any]] = {"household_id": HOUSEHOLD}
    household_id: Id
    purpose: Purpose = None


def household_history(cmd: HouseholdHistory, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """Every dated change of a household, oldest first: registered, members joined and
    left, members' phone changes while they lived there. Names, phones and the address
    are masked as in ``household`` (in clear with a ``purpose``, recorded).

    Example: ``{"household_id": "3f1c6a7e-0000-5000-8000-000000000009"}``"""
    household_id = cmd.household_id
    target = app.household_target(household_id)
    app.policy.check("household_history", actor, target)
    seen = _sight(actor, household_id, cmd.purpose)
    changes = changes_shown(
        app,
        actor,
        "household_history",
        household_id,
        seen,
        lambda c: household_changes(c, household_id),
    )
    return {"household_id": household_id, "changes": changes}


def _sight(actor: Actor, household_id: str, purpose: str | None) -> Sight:
    return sight(
        actor,
        purpose,
        own=actor.household_id == household_id,
        duty=masking.TEAM_DUTY if actor.role == "team_member" else None,
    )


def _members(c: Connection, seen: Sight, household_id: str, on: str) -> list[dict[str, Any]]:
    return [
        {
            "person_id": r["person_id"],
            "name": masking.name(seen, r["name"]),
            "relation": r["relation"],
            "relation_zh": RELATIONS[r["relation"]],
            "gender": r["gender"],
            "id_number": masking.id_number(r["id_number"]),
            "phone": masking.phone(seen, r["phone"]),
            "since": r["since"],
        }
        for r in members_on(c, household_id, on)
    ]


def _contacts(
    c: Connection, actor: Actor, household_id: str, community_id: str | None
) -> dict[str, Any]:
    m, tm, z, p = t.team_members, t.teams, t.links, t.persons
    team = (
        c.execute(
            select(m)
            .join(tm, tm.c.id == m.c.team_id)
            .where(tm.c.community_id == community_id)
            .order_by(m.c.group_key, m.c.name)
        )
        .mappings()
        .all()
    )
    linked = c.execute(
        select(p.c.id, p.c.name, p.c.phone)
        .join(z, z.c.party_member_id == p.c.id)
        .where(z.c.household_id == household_id)
    ).first()
    party = None
    if linked is not None:
        name, phone = masking.contact(actor, linked.name, linked.phone)
        party = {"person_id": linked.id, "name": name, "phone": phone}
    return {
        "team": [
            dict(
                zip(("name", "phone"), masking.contact(actor, r["name"], r["phone"]), strict=True),
                person_id=r["person_id"],
                group=r["group_key"],
                group_zh=GROUPS[r["group_key"]],
                duties=r["duties"],
            )
            for r in team
        ],
        "party_member": party,
    }
