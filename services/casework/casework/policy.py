"""Who may call which casework entrypoint, and within what scope (one Rule per entrypoint).

District staff act district-wide; community staff within their own community; service-team
members on the cases assigned to them (as owner or co-handler) and on intake in their own
community; residents on their own household's cases; auditors read only; the system (other
services, the deadline timer) everywhere.
"""

from __future__ import annotations

from shequ.auth import Policy, Rule
from shequ.readlog import READS_RULE

COMMUNITY = {"district_staff": "all", "system": "all", "community_staff": "community"}
HANDLER = {**COMMUNITY, "team_member": "assigned"}
INTAKE = {**HANDLER, "resident": "household"}
RESIDENT = {**COMMUNITY, "resident": "household"}
READ = {**HANDLER, "auditor": "all"}


def _cmd(roles: dict[str, str]) -> Rule:
    return Rule(roles=dict(roles))


def _read(roles: dict[str, str]) -> Rule:
    return Rule(roles=dict(roles), reads=True)


RULES: dict[str, Rule] = {
    # intake and routing
    "open_case": _cmd(INTAKE),
    "accept_case": _cmd(COMMUNITY),
    "refuse_case": _cmd(COMMUNITY),
    "assign_case": _cmd(COMMUNITY),
    "add_co_handler": _cmd(HANDLER),
    "merge_cases": _cmd(COMMUNITY),
    # handling
    "start_case": _cmd(HANDLER),
    "pause_case": _cmd(HANDLER),
    "resume_case": _cmd(HANDLER),
    "extend_deadline": _cmd(COMMUNITY),
    "resolve_case": _cmd(HANDLER),
    "answer_case": _cmd(HANDLER),
    "add_material": _cmd(INTAKE),
    "recuse": _cmd(HANDLER),
    # the resident's side
    "rate_case": _cmd(RESIDENT),
    "confirm_case": _cmd(RESIDENT),
    "reopen_case": _cmd(RESIDENT),
    "close_case": _cmd(COMMUNITY),
    # petitions: review and re-review
    "request_review": _cmd(RESIDENT),
    "answer_review": _cmd({"district_staff": "all", "system": "all"}),
    # mediation
    "start_mediation": _cmd(HANDLER),
    "consent_to_mediation": _cmd(HANDLER),
    "refuse_mediation": _cmd(HANDLER),
    "choose_mediator": _cmd(HANDLER),
    "reject_mediator": _cmd(HANDLER),
    "record_mediation_session": _cmd(HANDLER),
    "draft_agreement": _cmd(HANDLER),
    "sign_agreement": _cmd(HANDLER),
    "seal_agreement": _cmd(COMMUNITY),
    "apply_for_confirmation": _cmd(HANDLER),
    "fail_mediation": _cmd(HANDLER),
    "end_mediation": _cmd(HANDLER),
    "follow_up_mediation": _cmd(HANDLER),
    "refer_to_police": _cmd(HANDLER),
    # village decisions
    "start_decision": _cmd(COMMUNITY),
    "record_decision_meeting": _cmd(COMMUNITY),
    "publish_decision": _cmd(COMMUNITY),
    # deadlines
    "scan_deadlines": _cmd({"district_staff": "all", "system": "all"}),
    # queries
    "case": _read({**READ, "resident": "household"}),
    "case_timeline": _read({**READ, "resident": "household"}),
    "queue": _read(READ),
    "overdue_cases": _read({**COMMUNITY, "auditor": "all"}),
    "my_cases": _read(RESIDENT),
    "personal_data_reads": READS_RULE,
}

POLICY = Policy("casework", RULES)
