"""Personal data in casework views (RULES §6); masked by default.

| data                          | shown in clear to                                          |
|-------------------------------|------------------------------------------------------------|
| the resident's name and phone | the resident's own household; the case's owner and co-handlers (their duty: they call the resident back; recorded); district staff, community staff in scope and the system only when they give a ``purpose`` (recorded) |
Auditors and everyone else see them masked. Every answer that shows them in clear to anyone but
the household itself is recorded (``shequ.readlog``; listed by ``personal_data_reads``).
"""

from __future__ import annotations

from shequ import privacy
from shequ.actor import Actor
from shequ.readlog import Sight, sight

HANDLER_DUTY = "承办本案（职责）"  # the purpose recorded for a handler's read


def resident_sight(
    actor: Actor, purpose: str | None, handlers: list[str], household_id: str | None
) -> Sight:
    """How the case's resident is shown to ``actor``, and the purpose to record."""
    own = household_id is not None and actor.household_id == household_id
    return sight(
        actor, purpose, own=own, duty=HANDLER_DUTY if actor.person_id in handlers else None
    )


def resident(seen: Sight, data: dict[str, str]) -> dict[str, str]:
    name, phone = data.get("name", ""), data.get("phone", "")
    if seen.clear:
        return {"name": name, "phone": phone}
    return {
        "name": privacy.mask_name(name) if name else "",
        "phone": privacy.mask_phone(phone) if phone else "",
    }
