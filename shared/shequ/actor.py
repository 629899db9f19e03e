"""Who is acting: every command and query carries an actor; events record it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Self

from shequ.errors import ValidationError
from shequ.validation import check_characters

ROLES = (
    "district_staff",  # 区级工作人员: district-wide
    "community_staff",  # 社区工作人员: within their own community
    "team_member",  # 服务队成员: what is assigned to them
    "resident",  # 居民: their own household
    "auditor",  # 审计人员: read only
    "system",  # another service or the suite itself (seed, policies)
    "finance_clerk",  # 报账员: their own village's vouchers
    "finance_group",  # 民主理财小组/村务监督委员会: reviews their own village's vouchers
    "village_head",  # 村书记或主任: approves their own village's vouchers
    "agency_accountant",  # 三资代理服务中心会计: reviews and books for the villages served
)
# Roles that act for one village (FINANCE.md F12): the actor names it.
VILLAGE_ROLES = ("finance_clerk", "finance_group", "village_head")


@dataclass(frozen=True)
class Actor:
    person_id: str
    role: str
    community_id: str | None = None
    household_id: str | None = None
    village_id: str | None = None

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        if not isinstance(data, dict):
            raise ValidationError("缺少操作人信息", "actor is required", "actor")
        check_characters(data, "actor")  # events record the actor: no NUL, no lone surrogate
        role = data.get("role")
        if role not in ROLES:
            raise ValidationError(f"未知角色：{role}", f"unknown role {role!r}", "actor.role")
        person = data.get("person_id")
        if not isinstance(person, str) or not person:
            raise ValidationError(
                "操作人须有人员编号", "actor.person_id is required", "actor.person_id"
            )
        community = data.get("community_id")
        if role == "community_staff" and not community:
            raise ValidationError(
                "社区工作人员须注明所属社区",
                "community staff must name their community",
                "actor.community_id",
            )
        household = data.get("household_id")
        if role == "resident" and not household:
            raise ValidationError(
                "居民须注明所属户", "a resident must name their household", "actor.household_id"
            )
        village = data.get("village_id")
        if role in VILLAGE_ROLES and not village:
            raise ValidationError(
                "村级财务人员须注明所属村",
                "village finance roles must name their village",
                "actor.village_id",
            )
        return cls(
            person_id=person,
            role=role,
            community_id=community or None,
            household_id=household or None,
            village_id=village or None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


SYSTEM = Actor(person_id="system", role="system")
