"""Who sees which personal data in outreach's answers (RULES §6); everyone else sees it masked.

| data                                   | shown in full to                                  |
|----------------------------------------|---------------------------------------------------|
| contacts on a household's own card     | the household, staff, the system, team members in scope (they deliver it); the contacts are cadres in their public duty |
| the same card seen by anyone else      | masked (auditors)                                 |
| household heads, addresses in lists    | team members in scope (their duty: visits and cards; recorded); district staff, community staff in scope and the system only with a ``purpose`` (recorded); auditors never |
| visitors, party members in lists       | ids only                                          |
Every list that shows heads and addresses in clear is recorded (``shequ.readlog``; listed by
``personal_data_reads``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shequ import privacy
from shequ.actor import Actor
from shequ.readlog import Sight, sight

STAFF = frozenset({"district_staff", "community_staff", "system"})
VISIT_DUTY = "服务队走访、送卡（职责）"  # the purpose recorded for a team member's list


def card_contacts(actor: Actor, contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A card's contacts: in full for those who need the card, masked for everyone else."""
    if actor.role in STAFF | {"team_member", "resident"}:
        return contacts
    return [
        {**c, "name": privacy.mask_name(c["name"]), "phone": privacy.mask_phone(c["phone"])}
        for c in contacts
    ]


def address(actor: Actor, value: str) -> str:
    """The address on a card: in clear for those who need the card."""
    return value if actor.role in STAFF else privacy.mask_address(value)


def list_sight(actor: Actor, purpose: str | None) -> Sight:
    """How household heads and addresses are shown in a list, and the purpose to record."""
    return sight(actor, purpose, duty=VISIT_DUTY if actor.role == "team_member" else None)


def heads(seen: Sight, rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Household id, head and address of each row (``id``, ``name``, ``address``)."""
    return [
        {
            "household_id": r.id,
            "head": r.name if seen.clear else privacy.mask_name(r.name),
            "address": r.address if seen.clear else privacy.mask_address(r.address),
        }
        for r in rows
    ]
