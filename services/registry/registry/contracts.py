"""Integration events the registry publishes: versioned, primitive fields, one example each.

The bus is internal: team members' names and phones travel in full because outreach prints
them on contact cards; masking happens where data is displayed. ID numbers never travel: no
other service needs them (个人信息保护法 Art. 6, minimum necessary). Archives, personal-data
reads and idempotency records stay inside the registry.
"""

from __future__ import annotations

from shequ.contracts import Catalogue

catalogue = Catalogue("registry")
translate = catalogue.translate
C = "3f1c6a7e-0000-5000-8000-00000000000"  # example ids: C + one digit

# -- the district, communities, villages, party organisations -------------------------------
catalogue.publish(
    "District.Established",
    "district.established",
    {"district_id": "string", "name": "string"},
    "The district was set up.",
    {"district_id": C + "1", "name": "胶河经济区"},
    id_field="district_id",
)
catalogue.publish(
    "District.LeaderAppointed",
    "district.leader_appointed",
    {"district_id": "string", "person_id": "string", "title": "string", "since": "date"},
    "A person joined the district leadership team (区工管委领导班子).",
    {
        "district_id": C + "1",
        "person_id": C + "2",
        "title": "工委副书记",
        "since": "2024-01-01",
    },
    id_field="district_id",
)
catalogue.publish(
    "District.LeadershipEnded",
    "district.leadership_ended",
    {"district_id": "string", "person_id": "string", "until": "date"},
    "A person left the district leadership team.",
    {"district_id": C + "1", "person_id": C + "2", "until": "2025-01-01"},
    id_field="district_id",
)
catalogue.publish(
    "District.OrganEstablished",
    "district.organ_established",
    {"district_id": "string", "organ_id": "string", "name": "string", "kind": "string"},
    "A district organ (区直部门 department or 站所 station) was added.",
    {"district_id": C + "1", "organ_id": C + "3", "name": "农业服务站", "kind": "station"},
    id_field="district_id",
)
catalogue.publish(
    "District.CadreAssigned",
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
    id_field="district_id",
)
catalogue.publish(
    "District.CadreReleased",
    "district.cadre_released",
    {"district_id": "string", "person_id": "string", "until": "date"},
    "A person is no longer a cadre of a district organ.",
    {"district_id": C + "1", "person_id": C + "2", "until": "2025-01-01"},
    id_field="district_id",
)
catalogue.publish(
    "Community.Established",
    "community.established",
    {"community_id": "string", "name": "string", "name_en": "string", "district_id": "string"},
    "A community (社区) was set up.",
    {"community_id": C + "4", "name": "立柱", "name_en": "Lizhu", "district_id": C + "1"},
    id_field="community_id",
)
catalogue.publish(
    "Village.Registered",
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
    id_field="village_id",
)
catalogue.publish(
    "Village.VillageMoved",
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
    id_field="village_id",
)
catalogue.publish(
    "PartyOrganisation.Established",
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
    id_field="organisation_id",
)
catalogue.publish(
    "PartyOrganisation.Appointed",
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
    id_field="organisation_id",
)
catalogue.publish(
    "PartyOrganisation.AppointmentEnded",
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
    id_field="organisation_id",
)


# -- persons, households, teams, zones ------------------------------------------------------
catalogue.publish(
    "Person.Registered",
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
    id_field="person_id",
)
catalogue.publish(
    "Person.PhoneChanged",
    "person.phone_changed",
    {"person_id": "string", "phone": "string"},
    "A person's phone number changed.",
    {"person_id": C + "2", "phone": "13800000002"},
    id_field="person_id",
)
catalogue.publish(
    "Person.BecamePartyMember",
    "person.became_party_member",
    {"person_id": "string", "joined_on": "date"},
    "A person was recorded as a party member.",
    {"person_id": C + "2", "joined_on": "2010-07-01"},
    id_field="person_id",
)
catalogue.publish(
    "Household.Registered",
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
    id_field="household_id",
)
catalogue.publish(
    "Household.MemberAdded",
    "household.member_added",
    {"household_id": "string", "person_id": "string", "relation": "string", "since": "date"},
    "A person joined a household (relation to the head: spouse, child, parent, …).",
    {
        "household_id": C + "9",
        "person_id": C + "3",
        "relation": "spouse",
        "since": "2024-01-01",
    },
    id_field="household_id",
)
catalogue.publish(
    "Household.MemberRemoved",
    "household.member_removed",
    {"household_id": "string", "person_id": "string", "until": "date", "reason": "string"},
    "A person left a household.",
    {"household_id": C + "9", "person_id": C + "3", "until": "2025-01-01", "reason": "迁出"},
    id_field="household_id",
)
catalogue.publish(
    "ServiceTeam.Formed",
    "team.formed",
    {"team_id": "string", "community_id": "string", "name": "string", "groups": "strings"},
    "A community's service team was formed with its work groups (keys).",
    {
        "team_id": C + "0",
        "community_id": C + "4",
        "name": "立柱社区服务队",
        "groups": ["mediation", "sanitation", "welfare", "services", "finance", "volunteers"],
    },
    id_field="team_id",
)
catalogue.publish(
    "ServiceTeam.LeaderAppointed",
    "team.leader_appointed",
    {"team_id": "string", "person_id": "string", "since": "date"},
    "A member became the team leader.",
    {"team_id": C + "0", "person_id": C + "2", "since": "2024-01-01"},
    id_field="team_id",
)
catalogue.publish(
    "ServiceTeam.MemberJoined",
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
    id_field="team_id",
)
catalogue.publish(
    "ServiceTeam.MemberLeft",
    "team.member_left",
    {"team_id": "string", "person_id": "string", "until": "date", "reason": "string"},
    "A member left the team.",
    {"team_id": C + "0", "person_id": C + "2", "until": "2025-01-01", "reason": "调动"},
    id_field="team_id",
)
catalogue.publish(
    "ServiceTeam.MemberPhoneChanged",
    "team.member_phone_changed",
    {"team_id": "string", "person_id": "string", "phone": "string"},
    "The phone printed for a member changed.",
    {"team_id": C + "0", "person_id": C + "2", "phone": "13800000002"},
    id_field="team_id",
)
catalogue.publish(
    "ServiceTeam.MemberDutiesChanged",
    "team.member_duties_changed",
    {"team_id": "string", "person_id": "string", "duties": "string"},
    "The duties printed for a member changed.",
    {"team_id": C + "0", "person_id": C + "2", "duties": "信访接待"},
    id_field="team_id",
)
catalogue.publish(
    "ResponsibilityZone.Assigned",
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
    id_field="zone_id",
)
catalogue.publish(
    "ResponsibilityZone.HouseholdLinked",
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
    id_field="zone_id",
)
catalogue.publish(
    "ResponsibilityZone.HouseholdUnlinked",
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
    id_field="zone_id",
)
