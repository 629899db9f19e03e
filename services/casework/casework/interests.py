"""Casework's own copies of the upstream contracts it reads (registry, outreach), validated on
receipt by the inbox (services never import each other).

Tolerant readers (``shequ.contracts.interests``): the fields casework relies on are required and
typed; fields an upstream adds later pass.
"""

from __future__ import annotations

from shequ.contracts import interests

REGISTRY = interests(
    "registry",
    "casework",
    {
        "community.established": {"community_id": "string", "name": "string"},
        "village.registered": {"village_id": "string", "name": "string", "community_id": "string"},
        "village.moved": {
            "village_id": "string",
            "to_community_id": "string",
            "effective_date": "date",
        },
        "household.registered": {
            "household_id": "string",
            "village_id": "string",
            "head_id": "string",
        },
        "household.member_added": {"household_id": "string", "person_id": "string"},
        "household.member_removed": {"household_id": "string", "person_id": "string"},
        "team.formed": {"team_id": "string", "community_id": "string", "name": "string"},
        "team.leader_appointed": {"team_id": "string", "person_id": "string"},
        "team.member_joined": {
            "team_id": "string",
            "person_id": "string",
            "group": "string",
            "name": "string",
            "since": "date",
        },
        "team.member_left": {"team_id": "string", "person_id": "string", "until": "date"},
    },
)

OUTREACH = interests(
    "outreach",
    "casework",
    {
        "opinion.collected": {
            "opinion_id": "string",
            "community_id": "string",
            "village_id": "string?",
            "household_id": "string?",
            "category": "string",
            "text": "string",
            "channel": "string",
            "collected_by": "string",
            "collected_on": "date",
        },
    },
)
