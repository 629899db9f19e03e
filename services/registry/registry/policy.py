"""Who may call which registry entrypoint, and within what scope (one Rule per entrypoint).

district staff act district-wide; community staff within their own community; service-team
members (and the party member linked to a household) on what is assigned to them; residents on
their own household; auditors read only; the system (seed, other services) everywhere.
"""

from __future__ import annotations

from shequ.auth import Policy, Rule
from shequ.readlog import READS_RULE

DISTRICT = {"district_staff": "all", "system": "all"}
COMMUNITY = {**DISTRICT, "community_staff": "community"}
TEAM = {**COMMUNITY, "team_member": "assigned"}
READ = {**TEAM, "auditor": "all"}


def _cmd(roles: dict[str, str]) -> Rule:
    return Rule(roles=dict(roles))


def _read(roles: dict[str, str]) -> Rule:
    return Rule(roles=dict(roles), reads=True)


RULES: dict[str, Rule] = {
    # district, organs, leadership, communities, villages
    "establish_district": _cmd(DISTRICT),
    "appoint_district_leader": _cmd(DISTRICT),
    "end_district_leadership": _cmd(DISTRICT),
    "establish_organ": _cmd(DISTRICT),
    "assign_cadre": _cmd(DISTRICT),
    "release_cadre": _cmd(DISTRICT),
    "establish_community": _cmd(DISTRICT),
    "register_village": _cmd(DISTRICT),
    "move_village": _cmd(DISTRICT),
    # party organisations and posts
    "establish_organisation": _cmd(COMMUNITY),
    "appoint": _cmd(DISTRICT),
    "end_appointment": _cmd(DISTRICT),
    # persons, households, archives
    "register_person": _cmd(COMMUNITY),
    "change_person_phone": _cmd(COMMUNITY),
    "record_party_membership": _cmd(COMMUNITY),
    "register_household": _cmd(COMMUNITY),
    "add_household_member": _cmd(COMMUNITY),
    "remove_household_member": _cmd(COMMUNITY),
    "record_archive_entry": _cmd(TEAM),
    "reveal_personal_data": Rule(roles={"district_staff": "all", "community_staff": "community"}),
    # service teams, zones, household links
    "form_team": _cmd(COMMUNITY),
    "appoint_team_leader": _cmd(COMMUNITY),
    "add_team_member": _cmd(COMMUNITY),
    "remove_team_member": _cmd(COMMUNITY),
    "change_team_member_phone": _cmd(TEAM),
    "change_team_member_duties": _cmd(COMMUNITY),
    "assign_zone": _cmd(COMMUNITY),
    "link_household": _cmd(COMMUNITY),
    "unlink_household": _cmd(COMMUNITY),
    # queries
    "communities": _read({**DISTRICT, "auditor": "all"}),
    "organisation_chart": _read(READ),
    "team_roster": _read(READ),
    "household": _read({**READ, "resident": "household"}),
    "household_history": _read({**READ, "resident": "household"}),
    "person_history": _read(READ),
    "archive": _read(READ),
    "members_below_minimum": _read({**COMMUNITY, "auditor": "all"}),
    "personal_data_reads": READS_RULE,
}

POLICY = Policy("registry", RULES)
