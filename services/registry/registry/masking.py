"""Who sees which personal data in query results (RULES §6); masked by default.

| data                                    | shown in clear to                                      |
|-----------------------------------------|--------------------------------------------------------|
| ID number                               | nobody (only ``reveal_personal_data``, which is recorded) |
| household members' names, phones, address | the household itself; the service-team members and the linked party member assigned to it (their duty: phoning and visiting it, recorded); district staff, community staff in scope and the system only when they give a ``purpose`` (recorded) |
| team members' phones on a roster        | district staff, community staff in scope and the system, only with a ``purpose`` (recorded) |
| contacts shown to a household           | everyone allowed to read the household, except auditors (cadres in their public duty) |
| names of post holders, team members     | everyone allowed to read them (cadres in their public duty) |
Auditors read everything masked, even with a purpose: they check the records, not the people.
Every answer that shows personal data in clear to anyone but the household itself is recorded
(``shequ.readlog``; listed by ``personal_data_reads``).
"""

from __future__ import annotations

from typing import Any

from shequ import privacy
from shequ.actor import Actor
from shequ.readlog import Sight
from sqlalchemy.engine import RowMapping

STAFF = frozenset({"district_staff", "community_staff", "system"})
TEAM_DUTY = "服务队联系本户（职责）"  # the purpose recorded for an assigned team member's read


def member_name(actor: Actor, name: str) -> str:
    """A party member's name in a staff list (party members in their public duty)."""
    return name if actor.role in STAFF else privacy.mask_name(name)


def holder_name(actor: Actor, name_: str) -> str:
    """A post holder's name (cadres in their public duty): masked for auditors only."""
    return privacy.mask_name(name_) if actor.role == "auditor" else name_


def post_held(actor: Actor, row: RowMapping, posts: dict[str, str]) -> dict[str, Any]:
    """A post held on a day (a row of ``tables.posts_held``) as a query shows it: the post
    also in Chinese (``posts``), the holder's name as ``holder_name`` gives it."""
    return {
        "appointment_id": row["id"],
        "post": row["post"],
        "post_zh": posts[row["post"]],
        "person_id": row["person_id"],
        "name": holder_name(actor, row["name"]),
        "since": row["since"],
    }


def name(sight: Sight, value: str) -> str:
    return value if sight.clear else privacy.mask_name(value)


def phone(sight: Sight, value: str) -> str:
    return value if sight.clear else privacy.mask_phone(value)


def address(sight: Sight, value: str) -> str:
    return value if sight.clear else privacy.mask_address(value)


def contact(actor: Actor, name_: str, phone_: str) -> tuple[str, str]:
    """A contact (team member or linked party member) printed for a household."""
    if actor.role == "auditor":
        return privacy.mask_name(name_), privacy.mask_phone(phone_)
    return name_, phone_


def id_number(value: str) -> str:
    """ID numbers are always masked in query results."""
    return privacy.mask_id_number(value)
