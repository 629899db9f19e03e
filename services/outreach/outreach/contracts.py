"""Integration events outreach publishes (docs/integration-events.md), and its copies of the
upstream contracts it reads (registry, casework), validated on receipt by the inbox.

Names and phones do not travel: downstream services need ids, dates and counts only.
"""

from __future__ import annotations

from typing import Any

from shequ.contracts import Catalogue, Contract, interests

catalogue = Catalogue("outreach")
C = "5b2d7c1e-0000-5000-8000-00000000000"  # example ids: C + one digit

# domain event (Aggregate.Event) -> (contract, field holding the aggregate id or None)
ROUTES: dict[str, tuple[Contract, str | None]] = {}


def _publish(
    event: str,
    name: str,
    fields: dict[str, str],
    description: str,
    example: dict[str, Any],
    id_field: str | None,
) -> None:
    ROUTES[event] = (catalogue.define(name, 1, fields, description, example), id_field)


_publish(
    "Opinion.Collected",
    "opinion.collected",
    {
        "opinion_id": "string",
        "community_id": "string",
        "village_id": "string?",
        "household_id": "string?",
        "category": "string",
        "text": "string",
        "channel": "string",
        "source_id": "string",
        "collected_by": "string",
        "collected_on": "date",
    },
    "A resident's opinion, demand or suggestion taken down by a cadre (channel: visit, "
    "contact_card, party_contact or survey). Casework turns each into exactly one case.",
    {
        "opinion_id": C + "1",
        "community_id": C + "2",
        "village_id": C + "3",
        "household_id": C + "4",
        "category": "demand",
        "text": "村口路灯坏了",
        "channel": "visit",
        "source_id": C + "5",
        "collected_by": C + "6",
        "collected_on": "2025-03-02",
    },
    "opinion_id",
)
_publish(
    "Visit.Logged",
    "visit.logged",
    {
        "visit_id": "string",
        "round_id": "string",
        "community_id": "string",
        "village_id": "string",
        "household_id": "string",
        "visitor_id": "string",
        "visited_on": "date",
    },
    "A household was visited in a visit round.",
    {
        "visit_id": C + "5",
        "round_id": C + "7",
        "community_id": C + "2",
        "village_id": C + "3",
        "household_id": C + "4",
        "visitor_id": C + "6",
        "visited_on": "2025-03-02",
    },
    "visit_id",
)
_publish(
    "VisitRound.Closed",
    "round.closed",
    {
        "round_id": "string",
        "community_id": "string",
        "period_start": "date",
        "period_end": "date",
        "households_total": "integer",
        "households_visited": "integer",
    },
    "A visit round ended; its coverage (households visited over households on its list).",
    {
        "round_id": C + "7",
        "community_id": C + "2",
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
        "households_total": 120,
        "households_visited": 117,
    },
    "round_id",
)
_publish(
    "PartyContact.Logged",
    "party_contact.logged",
    {
        "contact_id": "string",
        "member_id": "string",
        "household_id": "string",
        "community_id": "string",
        "contacted_on": "date",
        "practical_task": "boolean",
    },
    "A party member contacted a linked household (practical_task: a practical task was done).",
    {
        "contact_id": C + "8",
        "member_id": C + "6",
        "household_id": C + "4",
        "community_id": C + "2",
        "contacted_on": "2025-03-02",
        "practical_task": True,
    },
    "contact_id",
)
_publish(
    "OverdueFlag.Flagged",
    "party_contact.overdue",
    {
        "member_id": "string",
        "household_id": "string",
        "community_id": "string",
        "last_contact_on": "date?",
        "due_on": "date",
        "flagged_on": "date",
    },
    "More than the allowed interval (one month by default) passed without a contact.",
    {
        "member_id": C + "6",
        "household_id": C + "4",
        "community_id": C + "2",
        "last_contact_on": "2025-01-05",
        "due_on": "2025-02-05",
        "flagged_on": "2025-02-06",
    },
    None,
)
_publish(
    "Household.CardIssued",
    "card.issued",
    {
        "card_id": "string",
        "household_id": "string",
        "community_id": "string",
        "village_id": "string",
        "version": "integer",
        "issued_on": "date",
    },
    "A contact card version was issued to a household.",
    {
        "card_id": C + "9",
        "household_id": C + "4",
        "community_id": C + "2",
        "village_id": C + "3",
        "version": 2,
        "issued_on": "2025-03-02",
    },
    None,
)
_publish(
    "Household.CardDistributed",
    "card.distributed",
    {
        "card_id": "string",
        "household_id": "string",
        "community_id": "string",
        "version": "integer",
        "distributed_on": "date",
        "delivered_by": "string",
    },
    "A card version was delivered to the household.",
    {
        "card_id": C + "9",
        "household_id": C + "4",
        "community_id": C + "2",
        "version": 2,
        "distributed_on": "2025-03-03",
        "delivered_by": C + "6",
    },
    None,
)
_publish(
    "Campaign.ResultsPublished",
    "survey.results_published",
    {
        "campaign_id": "string",
        "community_id": "string",
        "village_id": "string",
        "topic": "string",
        "period_end": "date",
        "respondents": "integer",
        "awareness": "number",
        "support": "number",
        "participation": "number",
    },
    "Publicity survey results for a village: awareness (知晓率), support (支持度), "
    "participation (参与率), each 0-1.",
    {
        "campaign_id": C + "0",
        "community_id": C + "2",
        "village_id": C + "3",
        "topic": "人居环境整治",
        "period_end": "2025-06-30",
        "respondents": 80,
        "awareness": 0.9,
        "support": 0.85,
        "participation": 0.6,
    },
    "campaign_id",
)


def translate(domain_event: Any) -> tuple[Contract, dict[str, Any]] | None:
    """The integration event for a stored domain event, or None if it stays inside."""
    route = ROUTES.get(type(domain_event).__qualname__)
    if route is None:
        return None
    contract, id_field = route
    data = {
        name: str(domain_event.originator_id)
        if name == id_field
        else getattr(domain_event, name, None)
        for name in contract.fields
    }
    return contract, data


# -- what outreach reads (own copies: services never import each other) -----------------------
def _interest(service: str, name: str, fields: dict[str, str]) -> tuple[str, Contract]:
    """An upstream contract as outreach reads it (``shequ.contracts.interests``: a tolerant
    reader: the fields relied on must be there and well-formed, fields added later pass)."""
    [(full, contract)] = interests(service, "outreach", {name: fields}).items()
    return full, contract


S, S_ = "string", "string?"
REGISTRY_INTERESTS: dict[str, Contract] = dict(
    [
        _interest(
            "registry",
            "community.established",
            {"community_id": S, "name": S, "name_en": S, "district_id": S},
        ),
        _interest(
            "registry",
            "village.registered",
            {
                "village_id": S,
                "name": S,
                "community_id": S,
                "registered_on": "date",
                "sample": "boolean",
            },
        ),
        _interest(
            "registry",
            "village.moved",
            {
                "village_id": S,
                "from_community_id": S,
                "to_community_id": S,
                "effective_date": "date",
            },
        ),
        _interest(
            "registry",
            "person.registered",
            {
                "person_id": S,
                "name": S,
                "gender": S,
                "phone": S,
                "village_id": S_,
                "kinds": "strings",
                "sample": "boolean",
            },
        ),
        _interest("registry", "person.phone_changed", {"person_id": S, "phone": S}),
        _interest("registry", "person.became_party_member", {"person_id": S, "joined_on": "date"}),
        _interest(
            "registry",
            "household.registered",
            {
                "household_id": S,
                "village_id": S,
                "head_id": S,
                "address": S,
                "since": "date",
                "sample": "boolean",
            },
        ),
        _interest(
            "registry",
            "team.formed",
            {"team_id": S, "community_id": S, "name": S, "groups": "strings"},
        ),
        _interest(
            "registry", "team.leader_appointed", {"team_id": S, "person_id": S, "since": "date"}
        ),
        _interest(
            "registry",
            "team.member_joined",
            {
                "team_id": S,
                "community_id": S,
                "person_id": S,
                "group": S,
                "name": S,
                "phone": S,
                "duties": S,
                "since": "date",
            },
        ),
        _interest(
            "registry",
            "team.member_left",
            {"team_id": S, "person_id": S, "until": "date", "reason": S},
        ),
        _interest(
            "registry", "team.member_phone_changed", {"team_id": S, "person_id": S, "phone": S}
        ),
        _interest(
            "registry", "team.member_duties_changed", {"team_id": S, "person_id": S, "duties": S}
        ),
        _interest(
            "registry",
            "party_member.household_linked",
            {"zone_id": S, "party_member_id": S, "household_id": S, "since": "date"},
        ),
        _interest(
            "registry",
            "party_member.household_unlinked",
            {"zone_id": S, "party_member_id": S, "household_id": S, "until": "date", "reason": S},
        ),
    ]
)

CASEWORK_INTERESTS: dict[str, Contract] = dict(
    [
        _interest(
            "casework",
            "case.opened",
            {
                "case_id": S,
                "case_type": S,
                "category": S,
                "channel": S,
                "community_id": S,
                "village_id": S_,
                "household_id": S_,
                "opened_on": "date",
                "due_on": "date?",
                "origin_opinion_id": S_,
            },
        ),
    ]
)
