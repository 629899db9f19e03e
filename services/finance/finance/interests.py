"""Finance's own copies of the upstream contracts it reads (registry), validated on receipt by
the inbox (services never import each other). Tolerant readers: fields added upstream pass."""

from __future__ import annotations

from shequ.contracts import interests

S = "string"

REGISTRY = interests(
    "registry",
    "finance",
    {
        "village.registered": {
            "village_id": S,
            "name": S,
            "community_id": S,
            "registered_on": "date",
        },
        "household.registered": {"household_id": S, "village_id": S},
        "organisation.established": {"organisation_id": S, "kind": S, "village_id": "string?"},
        "appointment.made": {
            "organisation_id": S,
            "appointment_id": S,
            "person_id": S,
            "post": S,
            "since": "date",
        },
        "appointment.ended": {"organisation_id": S, "appointment_id": S, "until": "date"},
        "committee.post_taken": {
            "village_id": S,
            "appointment_id": S,
            "person_id": S,
            "post": S,
            "since": "date",
        },
        "committee.post_ended": {"village_id": S, "appointment_id": S, "until": "date"},
        "village.moved": {
            "village_id": S,
            "from_community_id": S,
            "to_community_id": S,
            "effective_date": "date",
        },
    },
)

CASEWORK = interests(
    "casework",
    "finance",
    {
        "decision.resolution_published": {
            "decision_id": S,
            "village_id": S,
            "title": S,
            "matter_type": S,
            "published_on": "date",
        },
    },
)
