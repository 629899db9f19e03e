"""Personal data in casework views (RULES §6): residents' names and phones are shown in full
only to those handling the case, to staff, and to the resident's own household."""
from __future__ import annotations

from shequ import privacy
from shequ.actor import Actor

FULL = ("district_staff", "community_staff", "system")


def sees_person(actor: Actor, handlers: list[str], household_id: str | None) -> bool:
    if actor.role in FULL or actor.person_id in handlers:
        return True
    return actor.role == "resident" and household_id is not None \
        and actor.household_id == household_id


def resident(actor: Actor, data: dict[str, str], handlers: list[str],
             household_id: str | None) -> dict[str, str]:
    name, phone = data.get("name", ""), data.get("phone", "")
    if sees_person(actor, handlers, household_id):
        return {"name": name, "phone": phone}
    return {"name": privacy.mask_name(name) if name else "",
            "phone": privacy.mask_phone(phone) if phone else ""}
