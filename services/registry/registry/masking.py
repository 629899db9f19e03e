"""Who sees which personal data in query results (RULES §6); everyone else sees it masked.

| data                         | shown in full to                                              |
|------------------------------|---------------------------------------------------------------|
| ID number                    | nobody (only ``reveal_personal_data``, which is recorded)     |
| team members' phones         | district staff, community staff in scope, the system          |
| household members' names     | staff, assigned team members, the household itself, system   |
| household members' phones, address | staff, the household itself, the system                 |
| contacts shown to a household| everyone allowed to read the household, except auditors      |
Auditors read everything masked: they check the records, not the people.
"""
from __future__ import annotations

from shequ import privacy
from shequ.actor import Actor

STAFF = frozenset({"district_staff", "community_staff", "system"})


def team_phone(actor: Actor, phone: str) -> str:
    """A service-team member's phone on a roster."""
    return phone if actor.role in STAFF else privacy.mask_phone(phone)


def member_name(actor: Actor, name: str, own_household: bool = False) -> str:
    """A household member's name."""
    if actor.role in STAFF | {"team_member"} or (actor.role == "resident" and own_household):
        return name
    return privacy.mask_name(name)


def personal(actor: Actor, own_household: bool = False) -> bool:
    """Whether phones and addresses of residents are shown in full."""
    return actor.role in STAFF or (actor.role == "resident" and own_household)


def phone(actor: Actor, value: str, own_household: bool = False) -> str:
    return value if personal(actor, own_household) else privacy.mask_phone(value)


def address(actor: Actor, value: str, own_household: bool = False) -> str:
    return value if personal(actor, own_household) else privacy.mask_address(value)


def contact(actor: Actor, name: str, phone_: str) -> tuple[str, str]:
    """A contact (team member or linked party member) printed for a household."""
    if actor.role == "auditor":
        return privacy.mask_name(name), privacy.mask_phone(phone_)
    return name, phone_


def id_number(value: str) -> str:
    """ID numbers are always masked in query results."""
    return privacy.mask_id_number(value)
