"""Integration events for persons, households, teams, zones (continues ``contracts``)."""

from __future__ import annotations

from registry.contracts import C, _define, _route

_route(
    "Person.Registered",
    _define(
        "person.registered",
        {
            "person_id": "string",
            "name": "string",
            "gender": "string",
            "phone": "string",
            "village_id": "string?",
            "kinds": "strings",
            "sample": "boolean",
        },
        "A person was registered (no ID number: other services do not need it).",
        {
            "person_id": C + "2",
            "name": "王示例",
            "gender": "male",
            "phone": "13800000001",
            "village_id": C + "5",
            "kinds": ["resident", "party_member"],
            "sample": True,
        },
    ),
    "person_id",
)
_route(
    "Person.PhoneChanged",
    _define(
        "person.phone_changed",
        {"person_id": "string", "phone": "string"},
        "A person's phone number changed.",
        {"person_id": C + "2", "phone": "13800000002"},
    ),
    "person_id",
)
_route(
    "Person.BecamePartyMember",
    _define(
        "person.became_party_member",
        {"person_id": "string", "joined_on": "date"},
        "A person was recorded as a party member.",
        {"person_id": C + "2", "joined_on": "2010-07-01"},
    ),
    "person_id",
)
_route(
    "Household.Registered",
    _define(
        "household.registered",
        {
            "household_id": "string",
            "village_id": "string",
            "head_id": "string",
            "address": "string",
            "since": "date",
            "sample": "boolean",
        },
        "A household was registered; the address goes down to the villager group only.",
        {
            "household_id": C + "9",
            "village_id": C + "5",
            "head_id": C + "2",
            "address": "东王家村（示例）第一村民小组",
            "since": "2024-01-01",
            "sample": True,
        },
    ),
    "household_id",
)
_route(
    "Household.MemberAdded",
    _define(
        "household.member_added",
        {"household_id": "string", "person_id": "string", "relation": "string", "since": "date"},
        "A person joined a household (relation to the head: spouse, child, parent, …).",
        {
            "household_id": C + "9",
            "person_id": C + "3",
            "relation": "spouse",
            "since": "2024-01-01",
        },
    ),
    "household_id",
)
_route(
    "Household.MemberRemoved",
    _define(
        "household.member_removed",
        {"household_id": "string", "person_id": "string", "until": "date", "reason": "string"},
        "A person left a household.",
        {"household_id": C + "9", "person_id": C + "3", "until": "2025-01-01", "reason": "迁出"},
    ),
    "household_id",
)
_route(
    "ServiceTeam.Formed",
    _define(
        "team.formed",
        {"team_id": "string", "community_id": "string", "name": "string", "groups": "strings"},
        "A community's service team was formed with its work groups (keys).",
        {
            "team_id": C + "0",
            "community_id": C + "4",
            "name": "立柱社区服务队",
            "groups": ["mediation", "sanitation", "welfare", "services", "finance", "volunteers"],
        },
    ),
    "team_id",
)
_route(
    "ServiceTeam.LeaderAppointed",
    _define(
        "team.leader_appointed",
        {"team_id": "string", "person_id": "string", "since": "date"},
        "A member became the team leader.",
        {"team_id": C + "0", "person_id": C + "2", "since": "2024-01-01"},
    ),
    "team_id",
)
_route(
    "ServiceTeam.MemberJoined",
    _define(
        "team.member_joined",
        {
            "team_id": "string",
            "community_id": "string",
            "person_id": "string",
            "group": "string",
            "name": "string",
            "phone": "string",
            "duties": "string",
            "since": "date",
        },
        "A member joined a work group; name, phone and duties go on contact cards.",
        {
            "team_id": C + "0",
            "community_id": C + "4",
            "person_id": C + "2",
            "group": "mediation",
            "name": "王示例",
            "phone": "13800000001",
            "duties": "调解邻里纠纷",
            "since": "2024-01-01",
        },
    ),
    "team_id",
)
_route(
    "ServiceTeam.MemberLeft",
    _define(
        "team.member_left",
        {"team_id": "string", "person_id": "string", "until": "date", "reason": "string"},
        "A member left the team.",
        {"team_id": C + "0", "person_id": C + "2", "until": "2025-01-01", "reason": "调动"},
    ),
    "team_id",
)
_route(
    "ServiceTeam.MemberPhoneChanged",
    _define(
        "team.member_phone_changed",
        {"team_id": "string", "person_id": "string", "phone": "string"},
        "The phone printed for a member changed.",
        {"team_id": C + "0", "person_id": C + "2", "phone": "13800000002"},
    ),
    "team_id",
)
_route(
    "ServiceTeam.MemberDutiesChanged",
    _define(
        "team.member_duties_changed",
        {"team_id": "string", "person_id": "string", "duties": "string"},
        "The duties printed for a member changed.",
        {"team_id": C + "0", "person_id": C + "2", "duties": "信访接待"},
    ),
    "team_id",
)
_route(
    "ResponsibilityZone.Assigned",
    _define(
        "zone.assigned",
        {
            "zone_id": "string",
            "party_member_id": "string",
            "community_id": "string",
            "village_id": "string?",
            "name": "string",
            "description": "string",
        },
        "A party member was given a responsibility zone (党员责任区).",
        {
            "zone_id": C + "1",
            "party_member_id": C + "2",
            "community_id": C + "4",
            "village_id": C + "5",
            "name": "东王家村一组",
            "description": "",
        },
    ),
    "zone_id",
)
_route(
    "ResponsibilityZone.HouseholdLinked",
    _define(
        "party_member.household_linked",
        {
            "zone_id": "string",
            "party_member_id": "string",
            "household_id": "string",
            "since": "date",
        },
        "A party member took on contact with a household (党员联户).",
        {
            "zone_id": C + "1",
            "party_member_id": C + "2",
            "household_id": C + "9",
            "since": "2024-01-01",
        },
    ),
    "zone_id",
)
_route(
    "ResponsibilityZone.HouseholdUnlinked",
    _define(
        "party_member.household_unlinked",
        {
            "zone_id": "string",
            "party_member_id": "string",
            "household_id": "string",
            "until": "date",
            "reason": "string",
        },
        "A party member's contact with a household ended.",
        {
            "zone_id": C + "1",
            "party_member_id": C + "2",
            "household_id": C + "9",
            "until": "2025-01-01",
            "reason": "",
        },
    ),
    "zone_id",
)
