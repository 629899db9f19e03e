"""Outreach's own copies of the upstream contracts it reads (registry, casework), validated on
receipt by the inbox (services never import each other).

Tolerant readers (``shequ.contracts.interests``): the fields relied on must be there and
well-formed; fields an upstream adds later pass.
"""

from __future__ import annotations

from shequ.contracts import interests

S, S_ = "string", "string?"

REGISTRY = interests(
    "registry",
    "outreach",
    {
        "community.established": {"community_id": S, "name": S, "name_en": S, "district_id": S},
        "village.registered": {
            "village_id": S,
            "name": S,
            "community_id": S,
            "registered_on": "date",
            "sample": "boolean",
        },
        "village.moved": {
            "village_id": S,
            "from_community_id": S,
            "to_community_id": S,
            "effective_date": "date",
        },
        "person.registered": {
            "person_id": S,
            "name": S,
            "gender": S,
            "phone": S,
            "village_id": S_,
            "kinds": "strings",
            "sample": "boolean",
        },
        "person.phone_changed": {"person_id": S, "phone": S},
        "person.became_party_member": {"person_id": S, "joined_on": "date"},
        "household.registered": {
            "household_id": S,
            "village_id": S,
            "head_id": S,
            "address": S,
            "since": "date",
            "sample": "boolean",
        },
        "team.formed": {"team_id": S, "community_id": S, "name": S, "groups": "strings"},
        "team.leader_appointed": {"team_id": S, "person_id": S, "since": "date"},
        "team.member_joined": {
            "team_id": S,
            "community_id": S,
            "person_id": S,
            "group": S,
            "name": S,
            "phone": S,
            "duties": S,
            "since": "date",
        },
        "team.member_left": {"team_id": S, "person_id": S, "until": "date", "reason": S},
        "team.member_phone_changed": {"team_id": S, "person_id": S, "phone": S},
        "team.member_duties_changed": {"team_id": S, "person_id": S, "duties": S},
        "party_member.household_linked": {
            "zone_id": S,
            "party_member_id": S,
            "household_id": S,
            "since": "date",
        },
        "party_member.household_unlinked": {
            "zone_id": S,
            "party_member_id": S,
            "household_id": S,
            "until": "date",
            "reason": S,
        },
    },
)

CASEWORK = interests(
    "casework",
    "outreach",
    {
        "case.opened": {
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
    },
)
