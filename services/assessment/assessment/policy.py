"""Who may call which assessment entrypoint, and within what scope (one Rule per entrypoint).

The district committee (district staff) sets schemes, enters scores, scores periods and grants
rewards; a community's branch (community staff) registers its members' pledges and their
fulfilment and appraisal; results and published pledges are public (residents read them,
names masked); auditors read everything.
"""

from __future__ import annotations

from shequ.auth import Policy, Rule
from shequ.readlog import READS_RULE

DISTRICT = {"district_staff": "all", "system": "all"}
BRANCH = {**DISTRICT, "community_staff": "community"}
PUBLIC = {
    **DISTRICT,
    "community_staff": "all",
    "team_member": "all",
    "resident": "all",
    "auditor": "all",
}


def _cmd(roles: dict[str, str]) -> Rule:
    return Rule(roles=dict(roles))


def _read(roles: dict[str, str]) -> Rule:
    return Rule(roles=dict(roles), reads=True)


RULES: dict[str, Rule] = {
    # schemes and periods (the district committee)
    "define_scheme": _cmd(DISTRICT),
    "revise_scheme": _cmd(DISTRICT),
    "enter_score": _cmd(DISTRICT),
    "score_period": _cmd(DISTRICT),
    "reopen_period": _cmd(DISTRICT),
    # rewards and exemplary communities
    "grant_reward": _cmd(DISTRICT),
    "designate_exemplary": _cmd(DISTRICT),
    # pledges (the branch)
    "register_pledges": _cmd(BRANCH),
    "publish_pledges": _cmd(BRANCH),
    "record_fulfilment": _cmd(BRANCH),
    "appraise_member": _cmd(BRANCH),
    # queries
    "scheme": _read(PUBLIC),
    "scoreboard": _read(PUBLIC),
    "export_scores": _read({**DISTRICT, "community_staff": "all", "auditor": "all"}),
    "indicator_sources": _read({**DISTRICT, "community_staff": "community", "auditor": "all"}),
    "recompute_period": _read({**DISTRICT, "auditor": "all"}),
    "periods": _read({**DISTRICT, "community_staff": "all", "auditor": "all"}),
    "pledges": _read(PUBLIC),
    "rewards": _read(PUBLIC),
    "personal_data_reads": READS_RULE,
}

POLICY = Policy("assessment", RULES)
