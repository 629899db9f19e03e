"""Use cases: service teams and their members; party members' zones and household links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict
from uuid import UUID

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import ValidationError
from shequ.validation import (
    check_choice,
    check_date,
    check_phone,
    check_uuid,
    optional_text,
    require_text,
)
from sqlalchemy import select

from registry import tables as t
from registry.base import RegistryBase, today
from registry.domain import ResponsibilityZone, ServiceTeam
from registry.domain.team import GROUPS


class _FormTeamParams(TypedDict):
    community_id: str
    name: str | None


class _TeamMemberParams(TypedDict):
    team_id: str
    person_id: str
    group: str
    duties: str
    phone: str | None
    since: str | None


class _ZoneParams(TypedDict):
    party_member_id: str
    community_id: str
    name: str
    description: str
    village_id: str | None


class _LinkParams(TypedDict):
    party_member_id: str
    household_id: str
    since: str | None


class TeamCommands(RegistryBase):
    """Service teams (社区服务队), responsibility zones (党员责任区), household links (党员联户)."""

    def team(self, team_id: str) -> ServiceTeam:
        return self.get(UUID(team_id), ServiceTeam, "服务队", "team_id")  # type: ignore

    def form_team(
        self, actor: Actor, idempotency_key: str, *, community_id: str, name: str | None = None
    ) -> dict[str, Any]:
        """Form the community's service team with its six work groups (one per community)."""
        p: _FormTeamParams = {
            "community_id": check_uuid(community_id, "community_id"),
            "name": require_text(name, "name", "服务队名称", 100) if name else None,
        }

        def decide() -> Any:
            community = self.community(p["community_id"])
            team_id = ServiceTeam.create_id(p["community_id"])
            community.form_team(str(team_id), actor.to_dict())
            # Explicit id: the class's ``id`` annotation makes eventsourcing take it at
            # runtime, but mypy only sees the @event __init__'s parameters.
            team = ServiceTeam(
                id=team_id,
                community_id=p["community_id"],  # type: ignore[call-arg]
                name=p["name"] or f"{community.name}社区服务队",
                groups=GROUPS,
                actor=actor.to_dict(),
            )
            return [community, team], {"team_id": str(team_id)}

        return self.run(
            "form_team", idempotency_key, actor, Target(community_id=p["community_id"]), p, decide
        )

    def _team_command(
        self,
        command: str,
        key: str,
        actor: Actor,
        p: Mapping[str, Any],
        act: Any,
        target: Target | None = None,
    ) -> dict[str, Any]:
        team = self.team(p["team_id"])

        def decide() -> Any:
            fresh = self.team(p["team_id"])
            act(fresh)
            return [fresh], {"team_id": p["team_id"], "person_id": p["person_id"]}

        return self.run(
            command,
            key,
            actor,
            target or self.community_target(team.community_id),  # type: ignore[no-any-return]
            p,
            decide,
        )

    def add_team_member(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        team_id: str,
        person_id: str,
        group: str,
        duties: str,
        phone: str | None = None,
        since: str | None = None,
    ) -> dict[str, Any]:
        """Add a person to a work group; the phone printed on cards defaults to theirs."""
        p: _TeamMemberParams = {
            "team_id": check_uuid(team_id, "team_id"),
            "person_id": check_uuid(person_id, "person_id"),
            "group": check_choice(group, "group", GROUPS, "工作组"),
            "duties": require_text(duties, "duties", "职责", 500),
            "phone": check_phone(phone, "phone") if phone else None,
            "since": check_date(since, "since") if since else None,
        }
        person = self.person(p["person_id"])
        return self._team_command(
            "add_team_member",
            idempotency_key,
            actor,
            p,
            lambda team: team.join(
                p["person_id"],
                p["group"],
                person.name,
                p["phone"] or person.phone,
                p["duties"],
                p["since"] or today(),
                actor.to_dict(),
            ),
        )

    def appoint_team_leader(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        team_id: str,
        person_id: str,
        since: str | None = None,
    ) -> dict[str, Any]:
        """Make a current member the team leader (队长)."""
        p = {
            "team_id": check_uuid(team_id, "team_id"),
            "person_id": check_uuid(person_id, "person_id"),
            "since": check_date(since, "since") if since else None,
        }
        return self._team_command(
            "appoint_team_leader",
            idempotency_key,
            actor,
            p,
            lambda team: team.appoint_leader(
                p["person_id"], p["since"] or today(), actor.to_dict()
            ),
        )

    def remove_team_member(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        team_id: str,
        person_id: str,
        until: str,
        reason: str = "",
    ) -> dict[str, Any]:
        """A member leaves the team on ``until``."""
        p = {
            "team_id": check_uuid(team_id, "team_id"),
            "person_id": check_uuid(person_id, "person_id"),
            "until": check_date(until, "until"),
            "reason": optional_text(reason, "reason", "原因", 200),
        }
        return self._team_command(
            "remove_team_member",
            idempotency_key,
            actor,
            p,
            lambda team: team.leave(p["person_id"], p["until"], p["reason"], actor.to_dict()),
        )

    def change_team_member_phone(
        self, actor: Actor, idempotency_key: str, *, team_id: str, person_id: str, phone: str
    ) -> dict[str, Any]:
        """Change the phone printed for a member; a member may change their own."""
        p = {
            "team_id": check_uuid(team_id, "team_id"),
            "person_id": check_uuid(person_id, "person_id"),
            "phone": check_phone(phone, "phone"),
        }
        team = self.team(p["team_id"])
        target = Target(community_id=team.community_id, assigned_to=frozenset([p["person_id"]]))
        return self._team_command(
            "change_team_member_phone",
            idempotency_key,
            actor,
            p,
            lambda team: team.change_phone(p["person_id"], p["phone"], actor.to_dict()),
            target,
        )

    def change_team_member_duties(
        self, actor: Actor, idempotency_key: str, *, team_id: str, person_id: str, duties: str
    ) -> dict[str, Any]:
        """Change the duties printed for a member."""
        p = {
            "team_id": check_uuid(team_id, "team_id"),
            "person_id": check_uuid(person_id, "person_id"),
            "duties": require_text(duties, "duties", "职责", 500),
        }
        return self._team_command(
            "change_team_member_duties",
            idempotency_key,
            actor,
            p,
            lambda team: team.change_duties(p["person_id"], p["duties"], actor.to_dict()),
        )

    # -- zones and links -------------------------------------------------------------------
    def zone(self, party_member_id: str) -> ResponsibilityZone:
        return self.get(
            ResponsibilityZone.create_id(party_member_id),
            ResponsibilityZone,  # type: ignore[no-any-return]
            "党员责任区",
            "party_member_id",
        )

    def assign_zone(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        party_member_id: str,
        community_id: str,
        name: str,
        description: str = "",
        village_id: str | None = None,
    ) -> dict[str, Any]:
        """Give a party member a responsibility zone in a community (optionally one village)."""
        p: _ZoneParams = {
            "party_member_id": check_uuid(party_member_id, "party_member_id"),
            "community_id": check_uuid(community_id, "community_id"),
            "name": require_text(name, "name", "责任区名称", 100),
            "description": optional_text(description, "description", "说明", 500),
            "village_id": check_uuid(village_id, "village_id") if village_id else None,
        }
        if p["village_id"] and self.village(p["village_id"]).community_id != p["community_id"]:
            raise ValidationError(
                "该村不在此社区", "the village is not in that community", "village_id"
            )

        def decide() -> Any:
            zone_id = ResponsibilityZone.create_id(p["party_member_id"])
            self.ensure_new(zone_id, "党员责任区", "party_member_id")
            member = self.person(p["party_member_id"], "party_member_id")
            zone = ResponsibilityZone.assign(
                zone_id,
                p["party_member_id"],
                member.is_party_member,
                p["community_id"],
                p["village_id"],
                p["name"],
                p["description"],
                actor.to_dict(),
            )
            return [zone], {"zone_id": str(zone_id)}

        return self.run(
            "assign_zone", idempotency_key, actor, Target(community_id=p["community_id"]), p, decide
        )

    def link_household(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        party_member_id: str,
        household_id: str,
        since: str | None = None,
    ) -> dict[str, Any]:
        """Link a household to a party member (at most ``settings.max_households`` each)."""
        p: _LinkParams = {
            "party_member_id": check_uuid(party_member_id, "party_member_id"),
            "household_id": check_uuid(household_id, "household_id"),
            "since": check_date(since, "since") if since else None,
        }
        zone = self.zone(p["party_member_id"])
        # Both ends must be in the actor's scope: the member's zone and the household.
        self.policy.check("link_household", actor, self.household_target(p["household_id"]))

        def decide() -> Any:
            zone = self.zone(p["party_member_id"])
            self.household_agg(p["household_id"])
            zone.link(
                p["household_id"],
                p["since"] or today(),
                self.settings.max_households,
                self._linked_elsewhere(p["household_id"], str(zone.id)),
                actor.to_dict(),
            )
            return [zone], {"zone_id": str(zone.id), "household_id": p["household_id"]}

        return self.run(
            "link_household",
            idempotency_key,
            actor,
            Target(community_id=zone.community_id),
            p,
            decide,
        )

    def _linked_elsewhere(self, household_id: str, zone_id: str) -> bool:
        with self.read() as c:
            other = c.execute(
                select(t.links.c.zone_id).where(t.links.c.household_id == household_id)
            ).scalar()
        return other is not None and other != zone_id

    def unlink_household(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        party_member_id: str,
        household_id: str,
        until: str,
        reason: str = "",
    ) -> dict[str, Any]:
        """End a party member's link to a household."""
        p = {
            "party_member_id": check_uuid(party_member_id, "party_member_id"),
            "household_id": check_uuid(household_id, "household_id"),
            "until": check_date(until, "until"),
            "reason": optional_text(reason, "reason", "原因", 200),
        }
        zone = self.zone(p["party_member_id"])

        def decide() -> Any:
            zone = self.zone(p["party_member_id"])
            zone.unlink(p["household_id"], p["until"], p["reason"], actor.to_dict())
            return [zone], {"zone_id": str(zone.id), "household_id": p["household_id"]}

        return self.run(
            "unlink_household",
            idempotency_key,
            actor,
            Target(community_id=zone.community_id),
            p,
            decide,
        )
