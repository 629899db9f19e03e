"""Who sees which personal data in outreach's answers (RULES §6); everyone else sees it masked.

| data                                   | shown in full to                                  |
|----------------------------------------|---------------------------------------------------|
| contacts on a household's own card     | the household, staff, the system, team members in scope (they deliver it) |
| the same card seen by anyone else      | masked (auditors)                                 |
| household heads, addresses in lists    | staff and the system; team members see names only; auditors nothing |
| visitors, party members in lists       | ids only                                          |
"""
from __future__ import annotations

from typing import Any

from shequ import privacy
from shequ.actor import Actor

STAFF = frozenset({"district_staff", "community_staff", "system"})


def card_contacts(actor: Actor, contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A card's contacts: in full for those who need the card, masked for everyone else."""
    if actor.role in STAFF | {"team_member", "resident"}:
        return contacts
    return [{**c, "name": privacy.mask_name(c["name"]), "phone": privacy.mask_phone(c["phone"])}
            for c in contacts]


def head_name(actor: Actor, name: str) -> str:
    return name if actor.role in STAFF | {"team_member"} else privacy.mask_name(name)


def address(actor: Actor, value: str) -> str:
    return value if actor.role in STAFF else privacy.mask_address(value)
