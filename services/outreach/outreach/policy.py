"""Who may call which outreach entrypoint, and within what scope (one Rule per entrypoint).

district staff act district-wide; community staff within their own community; service-team
members on what is assigned to them (their community's households, the rounds they are assigned
to); a party member acts as ``team_member`` on the households linked to them; residents read
their own household's card; auditors read only; the system (jobs, other services) everywhere.
"""

from __future__ import annotations

from shequ.auth import Policy, Rule
from shequ.readlog import READS_RULE

DISTRICT = {"district_staff": "all", "system": "all"}
COMMUNITY = {**DISTRICT, "community_staff": "community"}
TEAM = {**COMMUNITY, "team_member": "assigned"}
READ = {**TEAM, "auditor": "all"}
OWN = {**READ, "resident": "household"}


def _cmd(roles: dict[str, str]) -> Rule:
    return Rule(roles=dict(roles))


def _read(roles: dict[str, str]) -> Rule:
    return Rule(roles=dict(roles), reads=True)


RULES: dict[str, Rule] = {
    # contact cards
    "record_card_distribution": _cmd(TEAM),
    # visit and survey rounds, opinions
    "open_round": _cmd(COMMUNITY),
    "log_visit": _cmd(TEAM),
    "close_round": _cmd(COMMUNITY),
    "record_opinion": _cmd(TEAM),
    # party-member household contact
    "log_party_contact": _cmd(TEAM),
    "flag_overdue_contacts": _cmd(COMMUNITY),
    # publicity
    "launch_campaign": _cmd(COMMUNITY),
    "record_survey": _cmd(TEAM),
    "publish_campaign_results": _cmd(COMMUNITY),
    # queries
    "card": _read(OWN),
    "card_history": _read(OWN),
    "card_pdf": _read({**TEAM, "resident": "household"}),
    "village_cards_pdf": _read(TEAM),
    "village_cards": _read(READ),
    "round_coverage": _read(READ),
    "coverage": _read(READ),
    "households_missed": _read(READ),
    "opinions": _read(READ),
    "contact_status": _read(READ),
    "campaign_results": _read(READ),
    "personal_data_reads": READS_RULE,
}

POLICY = Policy("outreach", RULES)
