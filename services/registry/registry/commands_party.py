"""Use cases: party organisations and appointments to their posts.

The application gathers the facts the composition rules need (leadership and cadre records from
the District aggregate, village-branch secretaryships from the read model and the Village
aggregates) and hands them to the PartyOrganisation aggregate, which decides.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict
from uuid import UUID

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import ValidationError
from shequ.validation import check_choice, check_date, check_uuid, optional_text, require_text
from sqlalchemy import or_, select

from registry import tables as t
from registry.base import RegistryBase, today
from registry.domain import Eligibility, PartyOrganisation
from registry.domain.common import natural_id
from registry.domain.organisation import KINDS, POSTS


class _OrganisationParams(TypedDict):
    kind: str
    name: str
    community_id: str | None
    village_id: str | None
    parent_id: str | None


class _AppointParams(TypedDict):
    organisation_id: str
    person_id: str
    post: str
    since: str | None


class PartyCommands(RegistryBase):
    """Party organisations (党组织) and their posts."""

    def establish_organisation(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        kind: str,
        name: str,
        community_id: str | None = None,
        village_id: str | None = None,
        parent_id: str | None = None,
    ) -> dict[str, Any]:
        """Set up a party organisation.

        general_branch needs ``community_id``; village_branch needs ``village_id``;
        functional_branch needs ``parent_id`` (its general branch); cooperative_branch none.
        """
        p: _OrganisationParams = {
            "kind": check_choice(kind, "kind", KINDS, "党组织类型"),
            "name": require_text(name, "name", "党组织名称", 100),
            "community_id": check_uuid(community_id, "community_id") if community_id else None,
            "village_id": check_uuid(village_id, "village_id") if village_id else None,
            "parent_id": check_uuid(parent_id, "parent_id") if parent_id else None,
        }
        needs_by_kind: dict[str, Literal["community_id", "village_id", "parent_id"]] = {
            "general_branch": "community_id",
            "village_branch": "village_id",
            "functional_branch": "parent_id",
        }
        needs = needs_by_kind.get(p["kind"])
        if needs and not p[needs]:
            raise ValidationError(f"该类党组织须注明{needs}", f"{p['kind']} needs {needs}", needs)
        where = self._organisation_place(p)

        def decide() -> Any:
            org_id = _organisation_id(p)
            self.ensure_new(org_id, "党组织", "kind")
            # Explicit id: the class's ``id`` annotation makes eventsourcing take it at
            # runtime, but mypy only sees the @event __init__'s parameters.
            org = PartyOrganisation(
                id=org_id,
                kind=p["kind"],  # type: ignore[call-arg]
                name=p["name"],
                community_id=where,
                village_id=p["village_id"],
                parent_id=p["parent_id"],
                actor=actor.to_dict(),
            )
            return [org], {"organisation_id": str(org_id)}

        return self.run(
            "establish_organisation", idempotency_key, actor, Target(community_id=where), p, decide
        )

    def _organisation_place(self, p: _OrganisationParams) -> str | None:
        # The field each kind needs has been checked present by establish_organisation.
        if p["kind"] == "general_branch":
            assert p["community_id"] is not None, "validated: a general branch needs it"
            self.community(p["community_id"])
            return str(p["community_id"])
        if p["kind"] == "village_branch":
            assert p["village_id"] is not None, "validated: a village branch needs it"
            return self.village(p["village_id"]).community_id
        if p["kind"] == "functional_branch":
            assert p["parent_id"] is not None, "validated: a functional branch needs it"
            parent = self.organisation(p["parent_id"], "parent_id")
            if parent.kind != "general_branch":
                raise ValidationError(
                    "功能型党支部须设在社区党总支之下",
                    "a functional branch sits under a general branch",
                    "parent_id",
                )
            return parent.community_id
        return None

    def organisation(
        self, organisation_id: str, field: str = "organisation_id"
    ) -> PartyOrganisation:
        return self.get(UUID(organisation_id), PartyOrganisation, "党组织", field)  # type: ignore

    def appoint(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        organisation_id: str,
        person_id: str,
        post: str,
        since: str | None = None,
    ) -> dict[str, Any]:
        """Appoint a person to a post (secretary, deputy_secretary, member) of an organisation."""
        p: _AppointParams = {
            "organisation_id": check_uuid(organisation_id, "organisation_id"),
            "person_id": check_uuid(person_id, "person_id"),
            "post": check_choice(post, "post", POSTS, "职务"),
            "since": check_date(since, "since") if since else None,
        }
        org = self.organisation(p["organisation_id"])

        def decide() -> Any:
            self.person(p["person_id"])
            org = self.organisation(p["organisation_id"])
            on = p["since"] or today()
            appointment_id = str(
                natural_id("appointment", p["organisation_id"], p["person_id"], p["post"], on)
            )
            facts = self.eligibility(p["person_id"], org.community_id, on)
            org.appoint(appointment_id, p["person_id"], p["post"], on, facts, actor.to_dict())
            basis = org.appointments[appointment_id]["basis"]
            return [org], {"appointment_id": appointment_id, "basis": basis}

        return self.run(
            "appoint", idempotency_key, actor, Target(community_id=org.community_id), p, decide
        )

    def end_appointment(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        organisation_id: str,
        appointment_id: str,
        until: str,
        reason: str = "",
    ) -> dict[str, Any]:
        """End an appointment on ``until`` with a reason (届满, 调动, 免职 …)."""
        p = {
            "organisation_id": check_uuid(organisation_id, "organisation_id"),
            "appointment_id": check_uuid(appointment_id, "appointment_id"),
            "until": check_date(until, "until"),
            "reason": optional_text(reason, "reason", "原因", 200),
        }
        org = self.organisation(p["organisation_id"])

        def decide() -> Any:
            org = self.organisation(p["organisation_id"])
            org.end_appointment(p["appointment_id"], p["until"], p["reason"], actor.to_dict())
            return [org], {"appointment_id": p["appointment_id"]}

        return self.run(
            "end_appointment",
            idempotency_key,
            actor,
            Target(community_id=org.community_id),
            p,
            decide,
        )

    def eligibility(self, person_id: str, community_id: str | None, on: str) -> Eligibility:
        """What the composition rules need to know about a person on the day ``on``."""
        district = self.district()
        return Eligibility(
            district_leader=district.is_leader(person_id, on),
            organ_cadre=district.is_cadre(person_id, on),
            village_secretary_here=community_id is not None
            and any(
                self.village(v).community_on(on) == community_id
                for v in self._secretary_of_villages(person_id, on)
            ),
        )

    def _secretary_of_villages(self, person_id: str, on: str) -> list[str]:
        """Villages whose party branch the person is secretary of on the day ``on``."""
        a, o = t.appointments, t.organisations
        with self.read() as c:
            rows = c.execute(
                select(o.c.village_id)
                .join(o, o.c.id == a.c.organisation_id)
                .where(
                    a.c.person_id == person_id,
                    a.c.post == "secretary",
                    o.c.kind == "village_branch",
                    a.c.since <= on,
                    or_(a.c.until.is_(None), a.c.until > on),
                )
            )
            return [r for r in rows.scalars() if r]


def _organisation_id(p: _OrganisationParams) -> UUID:
    # The field each kind needs has been checked present by establish_organisation.
    kind = p["kind"]
    if kind == "general_branch":
        assert p["community_id"] is not None, "validated: a general branch needs it"
        return natural_id("org", kind, p["community_id"])
    if kind == "village_branch":
        assert p["village_id"] is not None, "validated: a village branch needs it"
        return natural_id("org", kind, p["village_id"])
    if kind == "functional_branch":
        assert p["parent_id"] is not None, "validated: a functional branch needs it"
        return natural_id("org", kind, p["parent_id"], p["name"])
    return natural_id("org", kind, p["name"])
