"""Use cases of the community service teams (社区服务队): forming one, its members in their work
groups, the leader, the phones and duties printed for households, and the roster."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.app import Outcome
from shequ.auth import Target
from shequ.commands import Choice, Command, Day, Id, Keyed, Phone, Text, keyed
from shequ.errors import NotFound
from shequ.handlers import Handler, Scope, changes, create, decides
from shequ.readlog import Purpose, sight
from sqlalchemy import select

from registry import masking
from registry import tables as t
from registry.base import RegistryBase, in_community, person_exists
from registry.domain import Community, Person, ServiceTeam
from registry.domain.team import GROUPS
from registry.examples import COMMUNITY, PERSON, TEAM
from registry.fields import Duties, EndReason


class FormTeam(Keyed):
    """Form the community's service team with its six work groups (one team per community)."""

    title = "组建社区服务队"
    example = keyed("team-lizhu", community_id=COMMUNITY)
    community_id: Id
    name: Annotated[str, Text(100, "服务队名称")] | None = None


@decides(in_community)
def form_team(cmd: FormTeam, actor: Actor, app: RegistryBase) -> Outcome:
    """Form the community's service team with its six work groups (one per community)."""
    community = app.get(cmd.community_id, Community, "社区", "community_id")
    team_id = ServiceTeam.create_id(cmd.community_id)
    community.form_team(str(team_id), actor.to_dict())
    name = cmd.name or f"{community.name}社区服务队"
    team = create(ServiceTeam, team_id, cmd, actor, name=name, groups=GROUPS)
    return [community, team], {"team_id": str(team_id)}


class TeamMemberCommand(Keyed):
    """A command about one member of a team."""

    team_id: Id
    person_id: Id


def _team(cmd: TeamMemberCommand, app: RegistryBase) -> ServiceTeam:
    return app.get(cmd.team_id, ServiceTeam, "服务队", "team_id")


def _teams_community(cmd: TeamMemberCommand, app: RegistryBase) -> Target:
    """The scope of the team's community (its team members are assigned)."""
    return app.community_target(_team(cmd, app).community_id)


def on_member(
    scope: Scope = _teams_community,
) -> Callable[[Callable[[Any, Actor, RegistryBase, ServiceTeam], None]], Handler]:
    """The shape of every member command: load the team, let the decorated
    ``act(cmd, actor, app, team)`` change it, save; the result names the team and member."""

    def handler_of(act: Callable[[Any, Actor, RegistryBase, ServiceTeam], None]) -> Handler:
        @functools.wraps(act)
        def member(
            cmd: TeamMemberCommand, actor: Actor, app: RegistryBase, team: ServiceTeam
        ) -> dict[str, Any]:
            act(cmd, actor, app, team)
            return {"team_id": cmd.team_id, "person_id": cmd.person_id}

        return changes(_team, scope)(member)

    return handler_of


class AddTeamMember(TeamMemberCommand):
    """Add a person to a work group of the team."""

    title = "服务队成员加入"
    example = keyed(
        "team-member-2024-0001",
        team_id=TEAM,
        person_id=PERSON,
        group="mediation",
        duties="调解邻里纠纷",
        since="2024-01-01",
    )
    group: Annotated[str, Choice(GROUPS, "工作组")]
    duties: Duties
    phone: Phone | None = None
    since: Day | None = None


def _person_and_team(cmd: AddTeamMember, app: RegistryBase) -> Target:
    """The team's community, for a person who exists."""
    person_exists(cmd, app)
    return _teams_community(cmd, app)


@on_member(_person_and_team)
def add_team_member(cmd: AddTeamMember, actor: Actor, app: RegistryBase, team: ServiceTeam) -> None:
    """Add a person to a work group; the phone printed on cards defaults to theirs."""
    person = app.get(cmd.person_id, Person, "人员", "person_id")
    phone = cmd.phone or person.phone
    on = cmd.since or app.today()
    team.join(cmd.person_id, cmd.group, person.name, phone, cmd.duties, on, actor.to_dict())


class AppointTeamLeader(TeamMemberCommand):
    """Make a current member the team leader (队长)."""

    title = "任命服务队队长"
    example = keyed("team-leader-2024-0001", team_id=TEAM, person_id=PERSON, since="2024-01-01")
    since: Day | None = None


@on_member()
def appoint_team_leader(
    cmd: AppointTeamLeader, actor: Actor, app: RegistryBase, team: ServiceTeam
) -> None:
    team.appoint_leader(cmd.person_id, cmd.since or app.today(), actor.to_dict())


class RemoveTeamMember(TeamMemberCommand):
    """A member leaves the team on a date."""

    title = "服务队成员退出"
    example = keyed(
        "team-leave-2025-0001", team_id=TEAM, person_id=PERSON, until="2025-01-01", reason="调动"
    )
    until: Day
    reason: EndReason = ""


@on_member()
def remove_team_member(
    cmd: RemoveTeamMember, actor: Actor, app: RegistryBase, team: ServiceTeam
) -> None:
    """A member leaves the team on ``until``."""
    team.leave(cmd.person_id, cmd.until, cmd.reason, actor.to_dict())


class ChangeTeamMemberPhone(TeamMemberCommand):
    """Change the phone printed for a member; a member may change their own."""

    title = "变更服务队成员电话"
    example = keyed("team-phone-2025-0001", team_id=TEAM, person_id=PERSON, phone="13800000002")
    phone: Phone


def _member_or_community(cmd: ChangeTeamMemberPhone, app: RegistryBase) -> Target:
    """The team's community, and the member themselves."""
    community_id = _team(cmd, app).community_id
    return Target(community_id=community_id, assigned_to=frozenset([cmd.person_id]))


@on_member(_member_or_community)
def change_team_member_phone(
    cmd: ChangeTeamMemberPhone, actor: Actor, app: RegistryBase, team: ServiceTeam
) -> None:
    team.change_phone(cmd.person_id, cmd.phone, actor.to_dict())


class ChangeTeamMemberDuties(TeamMemberCommand):
    """Change the duties printed for a member."""

    title = "变更服务队成员职责"
    example = keyed("team-duties-2025-0001", team_id=TEAM, person_id=PERSON, duties="信访接待")
    duties: Duties


@on_member()
def change_team_member_duties(
    cmd: ChangeTeamMemberDuties, actor: Actor, app: RegistryBase, team: ServiceTeam
) -> None:
    team.change_duties(cmd.person_id, cmd.duties, actor.to_dict())


class TeamRoster(Command):
    """The community's service team by work group."""

    title = "服务队名册"
    example: ClassVar[dict[str, Any]] = {"community_id": COMMUNITY}
    community_id: Id
    purpose: Purpose = None


def team_roster(cmd: TeamRoster, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """The community's service team by work group; phones in clear only to staff who give
    a ``purpose`` (the read is recorded)."""
    community_id = cmd.community_id
    app.policy.check("team_roster", actor, app.community_target(community_id))
    with app.read() as c:
        team = (
            c.execute(select(t.teams).where(t.teams.c.community_id == community_id))
            .mappings()
            .first()
        )
        if team is None:
            raise NotFound(
                "该社区尚未组建服务队", "the community has no service team", "community_id"
            )
        m = t.team_members
        members = (
            c.execute(select(m).where(m.c.team_id == team["id"]).order_by(m.c.since, m.c.name))
            .mappings()
            .all()
        )
    seen = sight(actor, cmd.purpose)
    if seen.purpose and members:
        app.reads.note(
            actor,
            "team_roster",
            team["id"],
            seen.purpose,
            {r["person_id"]: r["name"] for r in members},
            ["phone"],
        )
    return {
        "team_id": team["id"],
        "name": team["name"],
        "community_id": community_id,
        "leader_id": team["leader_id"],
        "groups": [
            {
                "key": key,
                "name_zh": zh,
                "members": [
                    {
                        "person_id": r["person_id"],
                        "name": r["name"],
                        "phone": masking.phone(seen, r["phone"]),
                        "duties": r["duties"],
                        "since": r["since"],
                        "leader": r["person_id"] == team["leader_id"],
                    }
                    for r in members
                    if r["group_key"] == key
                ],
            }
            for key, zh in GROUPS.items()
        ],
    }


class TeamMemberships(Command):
    """The service teams a person is a member of now, each with its community and the work
    group the person is in: where a team member serves (a member may ask about themself)."""

    title = "服务队任职"
    example: ClassVar[dict[str, Any]] = {"person_id": PERSON}
    person_id: Id


def team_memberships(cmd: TeamMemberships, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    app.policy.check("team_memberships", actor, Target(assigned_to=frozenset([cmd.person_id])))
    m, teams, places = t.team_members, t.teams, t.communities
    query = (
        select(m.c.team_id, m.c.group_key, teams.c.community_id, places.c.name, places.c.name_en)
        .join(teams, teams.c.id == m.c.team_id)
        .join(places, places.c.id == teams.c.community_id)
        .where(m.c.person_id == cmd.person_id)
        .order_by(places.c.name, teams.c.community_id)
    )
    with app.read() as c:
        rows = c.execute(query).mappings().all()
    return {
        "person_id": cmd.person_id,
        "teams": [
            {
                "team_id": r["team_id"],
                "community_id": r["community_id"],
                "name": r["name"],
                "name_en": r["name_en"],
                "group": r["group_key"],
            }
            for r in rows
        ],
    }
