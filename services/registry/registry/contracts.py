"""Integration events the registry publishes: versioned, primitive fields, one example each.

The bus is internal: team members' names and phones travel in full because outreach prints
them on contact cards; masking happens where data is displayed. ID numbers never travel: no
other service needs them (个人信息保护法 Art. 6, minimum necessary).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from shequ.contracts import Catalogue, Contract

catalogue = Catalogue("registry")
C = "3f1c6a7e-0000-5000-8000-00000000000"  # example ids: C + one digit


def _define(
    name: str, fields: dict[str, str], description: str, example: dict[str, Any]
) -> Contract:
    return catalogue.define(name, 1, fields, description, example)


# domain event (Aggregate.Event) -> (contract, field holding the aggregate id)
ROUTES: dict[str, tuple[Contract, str]] = {}


def _route(event: str, contract: Contract, id_field: str) -> None:
    ROUTES[event] = (contract, id_field)


_route(
    "District.Established",
    _define(
        "district.established",
        {"district_id": "string", "name": "string"},
        "The district was set up.",
        {"district_id": C + "1", "name": "胶河经济区"},
    ),
    "district_id",
)
_route(
    "District.LeaderAppointed",
    _define(
        "district.leader_appointed",
        {"district_id": "string", "person_id": "string", "title": "string", "since": "date"},
        "A person joined the district leadership team (区工管委领导班子).",
        {
            "district_id": C + "1",
            "person_id": C + "2",
            "title": "工委副书记",
            "since": "2024-01-01",
        },
    ),
    "district_id",
)
_route(
    "District.LeadershipEnded",
    _define(
        "district.leadership_ended",
        {"district_id": "string", "person_id": "string", "until": "date"},
        "A person left the district leadership team.",
        {"district_id": C + "1", "person_id": C + "2", "until": "2025-01-01"},
    ),
    "district_id",
)
_route(
    "District.OrganEstablished",
    _define(
        "district.organ_established",
        {"district_id": "string", "organ_id": "string", "name": "string", "kind": "string"},
        "A district organ (区直部门 department or 站所 station) was added.",
        {"district_id": C + "1", "organ_id": C + "3", "name": "农业服务站", "kind": "station"},
    ),
    "district_id",
)
_route(
    "District.CadreAssigned",
    _define(
        "district.cadre_assigned",
        {
            "district_id": "string",
            "person_id": "string",
            "organ_id": "string",
            "community_id": "string?",
            "since": "date",
        },
        "A cadre of a district organ, assigned down to a community (责任区) if given.",
        {
            "district_id": C + "1",
            "person_id": C + "2",
            "organ_id": C + "3",
            "community_id": C + "4",
            "since": "2024-01-01",
        },
    ),
    "district_id",
)
_route(
    "District.CadreReleased",
    _define(
        "district.cadre_released",
        {"district_id": "string", "person_id": "string", "until": "date"},
        "A person is no longer a cadre of a district organ.",
        {"district_id": C + "1", "person_id": C + "2", "until": "2025-01-01"},
    ),
    "district_id",
)
_route(
    "Community.Established",
    _define(
        "community.established",
        {"community_id": "string", "name": "string", "name_en": "string", "district_id": "string"},
        "A community (社区) was set up.",
        {"community_id": C + "4", "name": "立柱", "name_en": "Lizhu", "district_id": C + "1"},
    ),
    "community_id",
)
_route(
    "Village.Registered",
    _define(
        "village.registered",
        {
            "village_id": "string",
            "name": "string",
            "community_id": "string",
            "registered_on": "date",
            "sample": "boolean",
        },
        "A village was registered in a community.",
        {
            "village_id": C + "5",
            "name": "东王家村（示例）",
            "community_id": C + "4",
            "registered_on": "2024-01-01",
            "sample": True,
        },
    ),
    "village_id",
)
_route(
    "Village.VillageMoved",
    _define(
        "village.moved",
        {
            "village_id": "string",
            "from_community_id": "string",
            "to_community_id": "string",
            "effective_date": "date",
        },
        "A village moved to another community from the effective date.",
        {
            "village_id": C + "5",
            "from_community_id": C + "4",
            "to_community_id": C + "6",
            "effective_date": "2025-01-01",
        },
    ),
    "village_id",
)
_route(
    "PartyOrganisation.Established",
    _define(
        "organisation.established",
        {
            "organisation_id": "string",
            "kind": "string",
            "name": "string",
            "community_id": "string?",
            "village_id": "string?",
            "parent_id": "string?",
        },
        "A party organisation: general_branch, functional_branch, village_branch or "
        "cooperative_branch.",
        {
            "organisation_id": C + "7",
            "kind": "general_branch",
            "name": "立柱社区党总支",
            "community_id": C + "4",
            "village_id": None,
            "parent_id": None,
        },
    ),
    "organisation_id",
)
_route(
    "PartyOrganisation.Appointed",
    _define(
        "appointment.made",
        {
            "organisation_id": "string",
            "appointment_id": "string",
            "community_id": "string?",
            "person_id": "string",
            "post": "string",
            "basis": "string",
            "since": "date",
        },
        "A person was appointed to a post (secretary, deputy_secretary, member); basis names the "
        "qualification (district_leader, organ_cadre, village_secretary or empty).",
        {
            "organisation_id": C + "7",
            "appointment_id": C + "8",
            "community_id": C + "4",
            "person_id": C + "2",
            "post": "secretary",
            "basis": "district_leader",
            "since": "2024-01-01",
        },
    ),
    "organisation_id",
)
_route(
    "PartyOrganisation.AppointmentEnded",
    _define(
        "appointment.ended",
        {
            "organisation_id": "string",
            "appointment_id": "string",
            "until": "date",
            "reason": "string",
        },
        "An appointment ended.",
        {
            "organisation_id": C + "7",
            "appointment_id": C + "8",
            "until": "2025-01-01",
            "reason": "届满",
        },
    ),
    "organisation_id",
)

import registry.contracts_people  # noqa: F401  (defines the remaining contracts)


def _primitive(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return list(value)  # a mapping of keys to labels travels as its keys
    if isinstance(value, (list, tuple)):
        return [_primitive(v) for v in value]
    return value


def translate(domain_event: Any) -> tuple[Contract, dict[str, Any]] | None:
    """The integration event for a stored domain event, or None if it is not published.

    Archives, personal-data reads and idempotency records stay inside the registry.
    """
    route = ROUTES.get(type(domain_event).__qualname__)
    if route is None:
        return None
    contract, id_field = route
    data = {
        name: str(domain_event.originator_id)
        if name == id_field
        else _primitive(getattr(domain_event, name, None))
        for name in contract.fields
    }
    return contract, data
