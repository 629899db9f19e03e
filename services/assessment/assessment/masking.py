"""Who sees which personal data in assessment's query results (RULES §6).

| data                              | shown in full to                         |
|-----------------------------------|------------------------------------------|
| party members' names on pledges   | district staff, community staff, system  |
| who entered a committee score     | district staff, community staff, system  |
Everyone else (team members, residents reading the public board, auditors) sees names masked
(``张*``): published pledges are public, but only as far as the duty to publish needs
(个人信息保护法 Arts. 13, 25).
"""

from __future__ import annotations

from shequ import privacy
from shequ.actor import Actor

STAFF = frozenset({"district_staff", "community_staff", "system"})


def member_name(actor: Actor, name: str) -> str:
    return name if actor.role in STAFF else privacy.mask_name(name)


def sees_inputs(actor: Actor) -> bool:
    """Whether the committee's entries (who, why) are shown."""
    return actor.role in STAFF
