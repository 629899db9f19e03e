"""Queries: the dated history of a household and of a person (``registry.history``)."""

from __future__ import annotations

from typing import Any

from shequ.actor import Actor
from shequ.readlog import Sight, check_purpose, sight
from shequ.validation import check_uuid
from sqlalchemy import select
from sqlalchemy.engine import Connection

from registry import masking
from registry import tables as t
from registry.base import RegistryBase
from registry.domain.household import RELATIONS
from registry.history import AS_PERSON, entry, household_changes, person_changes


class HistoryQueries(RegistryBase):
    """Who lived in a household when, and every dated change of a person."""

    def household_history(
        self, actor: Actor, household_id: str, purpose: str | None = None
    ) -> dict[str, Any]:
        """Every dated change of a household, oldest first: registered, members joined and
        left, members' phone changes while they lived there. Names, phones and the address
        are masked as in ``household`` (in clear with a ``purpose``, recorded).

        Example: ``{"household_id": "3f1c6a7e-0000-5000-8000-000000000009"}``"""
        household_id = check_uuid(household_id, "household_id")
        purpose = check_purpose(purpose)
        target = self.household_target(household_id)
        self.policy.check("household_history", actor, target)
        seen = sight(
            actor,
            purpose,
            own=actor.household_id == household_id,
            duty=masking.TEAM_DUTY if actor.role == "team_member" else None,
        )
        with self.read() as c:
            changes = [entry(r, r["change"]) for r in household_changes(c, household_id)]
            names = _names(c, {x["person_id"] for x in changes})
        if seen.purpose and names:
            self.reads.note(
                actor,
                "household_history",
                household_id,
                seen.purpose,
                names,
                ["name", "phone", "address"],
            )
        return {"household_id": household_id, "changes": [_shown(seen, x, names) for x in changes]}

    def person_history(
        self, actor: Actor, person_id: str, purpose: str | None = None
    ) -> dict[str, Any]:
        """Every dated change of a person, oldest first: registered, households joined and
        left, phone changes, party membership. Name, phones and addresses are masked unless
        the reader is on the person's community team or staff giving a ``purpose`` (recorded).

        Example: ``{"person_id": "3f1c6a7e-0000-5000-8000-000000000002"}``"""
        person_id = check_uuid(person_id, "person_id")
        purpose = check_purpose(purpose)
        person = self.person(person_id)
        self.policy.check("person_history", actor, self.village_target(person.village_id))
        seen = sight(
            actor, purpose, duty=masking.TEAM_DUTY if actor.role == "team_member" else None
        )
        with self.read() as c:
            changes = [entry(r, _as_person(r)) for r in person_changes(c, person_id)]
            names = _names(c, {person_id})
        if seen.purpose:
            self.reads.note(
                actor,
                "person_history",
                person_id,
                seen.purpose,
                {person_id: person.name},
                ["name", "phone", "address"],
            )
        return {
            "person_id": person_id,
            "name": masking.name(seen, person.name),
            "changes": [_shown(seen, x, names) for x in changes],
        }


def _names(c: Connection, ids: set[str]) -> dict[str, str]:
    p = t.persons
    return {r.id: r.name for r in c.execute(select(p.c.id, p.c.name).where(p.c.id.in_(ids)))}


def _as_person(row: Any) -> str:
    if row["household_id"] is None:
        return str(row["change"])
    return "joined_household" if row["change"] == "registered" else AS_PERSON[row["change"]]


def _shown(seen: Sight, x: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A change with its personal data masked as the actor may see it."""
    shown = {**x, "name": masking.name(seen, names.get(x["person_id"], ""))}
    if "relation" in x:
        shown["relation_zh"] = RELATIONS[x["relation"]]
    for key in ("phone", "previous_phone"):
        if x.get(key):
            shown[key] = masking.phone(seen, x[key])
    if "address" in x:
        shown["address"] = masking.address(seen, x["address"])
    return shown
