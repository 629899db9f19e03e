"""Authorisation from one policy table per service, for commands and queries alike.

A policy maps each entrypoint to the roles allowed on it and the scope each role is held to:
  "all"        district-wide (district staff, auditors' reads, the system itself)
  "community"  only targets inside the actor's own community
  "assigned"   only targets assigned to the actor (service-team members)
  "household"  only the actor's own household (residents)
  "village"    only targets in the actor's own village (village finance roles)
Auditors may only be given read entrypoints; ``Policy`` refuses a table that breaks that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shequ.actor import ROLES, Actor
from shequ.errors import Forbidden

SCOPES = ("all", "community", "assigned", "household", "village")

ROLE_ZH = {
    "district_staff": "区级工作人员",
    "community_staff": "社区工作人员",
    "team_member": "服务队成员",
    "resident": "居民",
    "auditor": "审计人员",
    "system": "系统",
    "finance_clerk": "报账员",
    "finance_group": "民主理财小组成员",
    "village_head": "村书记或主任",
    "agency_accountant": "三资代理服务中心会计",
}


# The role groups every service's use-case table builds on (role -> scope).
DISTRICT = {"district_staff": "all", "system": "all"}
"""District staff and the system: district-wide."""
COMMUNITY = {**DISTRICT, "community_staff": "community"}
"""... and community staff, within their own community."""
TEAM = {**COMMUNITY, "team_member": "assigned"}
"""... and service-team members, on what is assigned to them."""
READ = {**TEAM, "auditor": "all"}
"""... and auditors, who only read."""


@dataclass(frozen=True)
class Target:
    """What an entrypoint acts on, as far as scope is concerned."""

    community_id: str | None = None
    household_id: str | None = None
    assigned_to: frozenset[str] = field(default_factory=frozenset)
    village_id: str | None = None


@dataclass(frozen=True)
class Rule:
    roles: Mapping[str, str]  # role -> scope
    reads: bool = False  # a query (auditors may be allowed) or a command


class Policy:
    def __init__(self, service: str, rules: Mapping[str, Rule]) -> None:
        for name, rule in rules.items():
            for role, scope in rule.roles.items():
                if role not in ROLES or scope not in SCOPES:
                    raise ValueError(f"{service}.{name}: bad rule {role}->{scope}")
                if role == "auditor" and not rule.reads:
                    raise ValueError(f"{service}.{name}: auditors are read-only")
        self.service = service
        self.rules = dict(rules)

    def entrypoints(self) -> Iterable[str]:
        return self.rules.keys()

    def check_role(self, entrypoint: str, actor: Actor) -> str:
        """Refuse a role the entrypoint does not admit at all; returns the role's scope.

        Entrypoints call this before looking anything up, so a refused caller learns nothing
        about which records exist."""
        rule = self.rules.get(entrypoint)
        if rule is None:
            raise Forbidden(
                f"{entrypoint} 未列入授权表", f"{entrypoint} is not in the policy", code="forbidden"
            )
        scope = rule.roles.get(actor.role)
        if scope is None:
            raise Forbidden(
                f"{ROLE_ZH[actor.role]}无权执行 {entrypoint}",
                f"role {actor.role} may not call {entrypoint}",
                "actor.role",
            )
        return scope

    def check(self, entrypoint: str, actor: Actor, target: Target | None = None) -> None:
        scope = self.check_role(entrypoint, actor)
        if not _in_scope(scope, actor, target or Target()):
            raise Forbidden(
                f"{ROLE_ZH[actor.role]}只能处理本人职责范围内的事项（{scope}）",
                f"{entrypoint}: target outside the {actor.role}'s {scope} scope",
                "actor",
                code="out_of_scope",
            )


def _in_scope(scope: str, actor: Actor, target: Target) -> bool:
    if scope == "all":
        return True
    if scope == "community":
        return target.community_id is not None and target.community_id == actor.community_id
    if scope == "assigned":
        return actor.person_id in target.assigned_to
    if scope == "household":
        return target.household_id is not None and target.household_id == actor.household_id
    if scope == "village":
        return target.village_id is not None and target.village_id == actor.village_id
    return False
