"""Assessment's own copies of the upstream contracts it reads (docs/integration-events.md),
validated on receipt by the inbox (services never import each other).

Only the fields assessment relies on are declared, and further fields are accepted: an upstream
may add fields to a version without breaking us (it may not rename or remove these).
"""

from __future__ import annotations

from shequ.contracts import interests

CASE = {"case_id": "string", "community_id": "string", "team_id": "string?"}

CASEWORK = interests(
    "casework",
    "assessment",
    {
        "case.opened": {**CASE, "opened_on": "date"},
        "case.resolved": {**CASE, "resolved_on": "date", "on_time": "boolean"},
        "case.rated": {**CASE, "rating": "integer", "rated_on": "date"},
        "case.reopened": {**CASE, "reopened_on": "date"},
        "case.chased": {**CASE, "chased_on": "date"},
        "case.reprimanded": {**CASE, "reprimanded_on": "date"},
    },
)

OUTREACH = interests(
    "outreach",
    "assessment",
    {
        "round.closed": {
            "round_id": "string",
            "community_id": "string",
            "period_end": "date",
            "households_total": "integer",
            "households_visited": "integer",
        },
        "party_contact.logged": {
            "contact_id": "string",
            "community_id": "string",
            "contacted_on": "date",
        },
        "party_contact.overdue": {
            "member_id": "string",
            "household_id": "string",
            "community_id": "string",
            "due_on": "date",
            "flagged_on": "date",
        },
        "card.issued": {
            "card_id": "string",
            "community_id": "string",
            "version": "integer",
            "issued_on": "date",
        },
        "card.distributed": {
            "card_id": "string",
            "community_id": "string",
            "version": "integer",
            "distributed_on": "date",
        },
        "survey.results_published": {
            "campaign_id": "string",
            "community_id": "string",
            "village_id": "string",
            "period_end": "date",
            "respondents": "integer",
            "awareness": "number",
            "support": "number",
            "participation": "number",
        },
    },
)

# A disclosure obligation is keyed by its village, kind and period, published or found overdue
# alike (a quarter's disclosure and the correction notice it carries are two).
DISCLOSED = {"village_id": "string", "community_id": "string", "kind": "string", "period": "string"}

FINANCE = interests(
    "finance",
    "assessment",
    {
        "disclosure.published": {**DISCLOSED, "published_on": "date", "late": "boolean"},
        "disclosure.overdue": {**DISCLOSED, "due_on": "date"},
        "objection.answered": {
            "objection_id": "string",
            "community_id": "string",
            "answered_on": "date",
            "on_time": "boolean",
        },
        "objection.overdue": {"objection_id": "string", "community_id": "string", "due_on": "date"},
        "voucher.posted": {
            "voucher_id": "string",
            "community_id": "string",
            "posted_on": "date",
            "returns": "integer",
        },
        "voucher.returned": {
            "voucher_id": "string",
            "community_id": "string",
            "returned_on": "date",
        },
    },
)

REGISTRY = interests(
    "registry",
    "assessment",
    {
        "community.established": {"community_id": "string", "name": "string"},
        "team.formed": {"team_id": "string", "community_id": "string", "name": "string"},
        "person.registered": {"person_id": "string", "name": "string", "kinds": "strings"},
        "person.became_party_member": {"person_id": "string", "joined_on": "date"},
    },
)
