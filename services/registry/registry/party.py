"""Use cases of party organisations (党组织) and appointments to their posts, and the chart.

The handlers gather the facts the composition rules need (leadership and cadre records from
the District aggregate, village-branch secretaryships from the read model and the Village
aggregates) and hand them to the PartyOrganisation aggregate, which decides.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Choice, Command, Day, Id, Keyed, Text, keyed
from shequ.errors import ValidationError
from shequ.handlers import changes, create
from sqlalchemy import select
from sqlalchemy.engine import Connection

from registry import tables as t
from registry.base import RegistryBase, person_exists
from registry.domain import Community, Eligibility, PartyOrganisation, Village
from registry.domain.common import natural_id
from registry.domain.organisation import BASES, KINDS, POSTS
from registry.examples import APPOINTMENT, COMMUNITY, ORGANISATION, PERSON
from registry.fields import EndReason
from registry.masking import post_held

NEEDS: dict[str, Literal["community_id", "village_id", "parent_id"]] = {
    "general_branch": "community_id",
    "village_branch": "village_id",
    "functional_branch": "parent_id",
}


class EstablishOrganisation(Keyed):
    """Set up a party organisation: general_branch needs ``community_id``, village_branch
    ``village_id``, functional_branch ``parent_id`` (its general branch), cooperative_branch
    none."""

    title = "设立党组织"
    example = keyed(
        "org-lizhu-general", kind="general_branch", name="立柱社区党总支", community_id=COMMUNITY
    )
    kind: Annotated[str, Choice(KINDS, "党组织类型")]
    name: Annotated[str, Text(100, "党组织名称")]
    community_id: Id | None = None
    village_id: Id | None = None
    parent_id: Id | None = None


def establish_organisation(
    cmd: EstablishOrganisation, actor: Actor, app: RegistryBase
) -> dict[str, Any]:
    """Set up a party organisation.

    general_branch needs ``community_id``; village_branch needs ``village_id``;
    functional_branch needs ``parent_id`` (its general branch); cooperative_branch none.
    """
    needs = NEEDS.get(cmd.kind)
    if needs and not getattr(cmd, needs):
        raise ValidationError(f"该类党组织须注明{needs}", f"{cmd.kind} needs {needs}", needs)
    where = _organisation_place(app, cmd)

    def decide() -> Any:
        org_id = _organisation_id(cmd)
        app.ensure_new(org_id, "党组织", "kind")
        org = create(PartyOrganisation, org_id, cmd, actor, community_id=where)
        return [org], {"organisation_id": str(org_id)}

    target = Target(community_id=where)
    return app.run(
        "establish_organisation", cmd.idempotency_key, actor, target, cmd.payload(), decide
    )


def _organisation_place(app: RegistryBase, cmd: EstablishOrganisation) -> str | None:
    # The field each kind needs has been checked present by establish_organisation.
    if cmd.kind == "general_branch":
        assert cmd.community_id is not None, "validated: a general branch needs it"
        app.get(cmd.community_id, Community, "社区", "community_id")
        return cmd.community_id
    if cmd.kind == "village_branch":
        assert cmd.village_id is not None, "validated: a village branch needs it"
        return app.get(cmd.village_id, Village, "村", "village_id").community_id
    if cmd.kind == "functional_branch":
        assert cmd.parent_id is not None, "validated: a functional branch needs it"
        parent = app.get(cmd.parent_id, PartyOrganisation, "党组织", "parent_id")
        if parent.kind != "general_branch":
            raise ValidationError(
                "功能型党支部须设在社区党总支之下",
                "a functional branch sits under a general branch",
                "parent_id",
            )
        return parent.community_id
    return None


def _organisation_id(cmd: EstablishOrganisation) -> UUID:
    # The field each kind needs has been checked present by establish_organisation.
    kind = cmd.kind
    if kind == "general_branch":
        assert cmd.community_id is not None, "validated: a general branch needs it"
        return natural_id("org", kind, cmd.community_id)
    if kind == "village_branch":
        assert cmd.village_id is not None, "validated: a village branch needs it"
        return natural_id("org", kind, cmd.village_id)
    if kind == "functional_branch":
        assert cmd.parent_id is not None, "validated: a functional branch needs it"
        return natural_id("org", kind, cmd.parent_id, cmd.name)
    return natural_id("org", kind, cmd.name)


class PostCommand(Keyed):
    """A command about the posts of one party organisation."""

    organisation_id: Id


def _organisation(cmd: PostCommand, app: RegistryBase) -> PartyOrganisation:
    return app.get(cmd.organisation_id, PartyOrganisation, "党组织", "organisation_id")


def _organisations_community(cmd: PostCommand, app: RegistryBase) -> Target:
    return Target(community_id=_organisation(cmd, app).community_id)


class Appoint(PostCommand):
    """Appoint a person to a post of a party organisation."""

    title = "党组织任职"
    example = keyed(
        "appoint-lizhu-secretary-2024",
        organisation_id=ORGANISATION,
        person_id=PERSON,
        post="secretary",
        since="2024-01-01",
    )
    person_id: Id
    post: Annotated[str, Choice(POSTS, "职务")]
    since: Day | None = None


@changes(_organisation, _organisations_community, check=person_exists)
def appoint(
    cmd: Appoint, actor: Actor, app: RegistryBase, org: PartyOrganisation
) -> dict[str, Any]:
    """Appoint a person to a post (secretary, deputy_secretary, member) of an organisation."""
    on = cmd.since or app.today()
    appointment_id = str(
        natural_id("appointment", cmd.organisation_id, cmd.person_id, cmd.post, on)
    )
    facts = eligibility(app, cmd.person_id, org.community_id, on)
    org.appoint(appointment_id, cmd.person_id, cmd.post, on, facts, actor.to_dict())
    basis = org.appointments[appointment_id]["basis"]
    return {"appointment_id": appointment_id, "basis": basis}


class EndAppointment(PostCommand):
    """End an appointment on a date, with a reason (届满, 调动, 免职 …)."""

    title = "任职结束（免职、届满、调动）"
    example = keyed(
        "appoint-end-2025-0001",
        organisation_id=ORGANISATION,
        appointment_id=APPOINTMENT,
        until="2025-01-01",
        reason="届满",
    )
    appointment_id: Id
    until: Day
    reason: EndReason = ""


@changes(_organisation, _organisations_community)
def end_appointment(
    cmd: EndAppointment, actor: Actor, app: RegistryBase, org: PartyOrganisation
) -> dict[str, Any]:
    """End an appointment on ``until`` with a reason (届满, 调动, 免职 …)."""
    org.end_appointment(cmd.appointment_id, cmd.until, cmd.reason, actor.to_dict())
    return {"appointment_id": cmd.appointment_id}


def eligibility(
    app: RegistryBase, person_id: str, community_id: str | None, on: str
) -> Eligibility:
    """What the composition rules need to know about a person on the day ``on``."""
    district = app.district()
    return Eligibility(
        district_leader=district.is_leader(person_id, on),
        organ_cadre=district.is_cadre(person_id, on),
        village_secretary_here=community_id is not None
        and any(
            app.get(v, Village, "村", "village_id").community_on(on) == community_id
            for v in _secretary_of_villages(app, person_id, on)
        ),
    )


def _secretary_of_villages(app: RegistryBase, person_id: str, on: str) -> list[str]:
    """Villages whose party branch the person is secretary of on the day ``on``."""
    a, o = t.appointments, t.organisations
    with app.read() as c:
        rows = c.execute(
            select(o.c.village_id)
            .join(o, o.c.id == a.c.organisation_id)
            .where(
                a.c.person_id == person_id,
                a.c.post == "secretary",
                o.c.kind == "village_branch",
                t.held_on(a, on),
            )
        )
        return [r for r in rows.scalars() if r]


class OrganisationChart(Command):
    """A community's party organisations and their post holders on a day."""

    title = "党组织架构"
    example: ClassVar[dict[str, Any]] = {"community_id": COMMUNITY, "on": "2024-06-01"}
    community_id: Id
    on: Day | None = None


def organisation_chart(cmd: OrganisationChart, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """The community's general branch posts with holders, its branches, village branches."""
    community_id, on = cmd.community_id, cmd.on or app.today()
    app.policy.check("organisation_chart", actor, app.community_target(community_id))
    o = t.organisations
    with app.read() as c:
        orgs = (
            c.execute(select(o).where(o.c.community_id == community_id).order_by(o.c.name))
            .mappings()
            .all()
        )
        general = next((g for g in orgs if g["kind"] == "general_branch"), None)
        return {
            "community_id": community_id,
            "on": on,
            "general_branch": general
            and {
                "organisation_id": general["id"],
                "name": general["name"],
                "posts": _posts(c, general["id"], on, actor),
            },
            "functional_branches": [
                {"organisation_id": g["id"], "name": g["name"]}
                for g in orgs
                if g["kind"] == "functional_branch"
            ],
            "village_branches": [
                {
                    "organisation_id": g["id"],
                    "name": g["name"],
                    "village_id": g["village_id"],
                    "posts": _posts(c, g["id"], on, actor),
                }
                for g in orgs
                if g["kind"] == "village_branch"
            ],
        }


def _posts(c: Connection, organisation_id: str, on: str, actor: Actor) -> list[dict[str, Any]]:
    a = t.appointments
    return [
        {
            **post_held(actor, r, POSTS),
            "basis": r["basis"],
            "basis_zh": BASES.get(r["basis"] or "", ""),
        }
        for r in t.posts_held(c, a, a.c.organisation_id == organisation_id, on, list(POSTS))
    ]
