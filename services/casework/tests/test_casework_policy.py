"""The policy table: every role against every entrypoint, and scopes on real cases."""

from __future__ import annotations

import pytest
from casework.application import Casework
from casework.usecases import USE_CASES
from casework_testing import STAFF, key, open_demand, uid, world
from shequ.actor import ROLES, Actor
from shequ.errors import Forbidden

POLICY = USE_CASES.policy
RULES = POLICY.rules
READS = {
    "case",
    "case_timeline",
    "queue",
    "overdue_cases",
    "my_cases",
    "personal_data_reads",
    "case_categories",
    "public_cases",
}


def actor(role: str) -> Actor:
    return Actor(
        f"{role}-1",
        role,
        community_id="c" if role == "community_staff" else None,
        household_id="h" if role == "resident" else None,
    )


@pytest.mark.parametrize("entrypoint", sorted(RULES))
@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_entrypoint(entrypoint: str, role: str) -> None:
    allowed = role in RULES[entrypoint].roles
    if allowed:
        POLICY.check_role(entrypoint, actor(role))
    else:
        with pytest.raises(Forbidden):
            POLICY.check_role(entrypoint, actor(role))
    assert RULES[entrypoint].reads == (entrypoint in READS)
    if role == "auditor":  # read-only; a resident's own list is theirs and staff's
        assert allowed == (entrypoint in READS - {"my_cases"})


def test_scopes_hold_on_real_cases(casework: Casework) -> None:
    app, w = casework, world(casework)
    case_id = open_demand(app, w)["case_id"]
    elsewhere = Actor("cs-2", "community_staff", community_id=w["other_community"])
    here = Actor("cs-1", "community_staff", community_id=w["community"])
    with pytest.raises(Forbidden):
        app.accept_case(elsewhere, key(), case_id=case_id)
    app.accept_case(here, key(), case_id=case_id)
    neighbour = Actor(w["h2_head"], "resident", household_id=w["h2"])
    with pytest.raises(Forbidden):
        app.case(neighbour, case_id)
    with pytest.raises(Forbidden):  # a resident files only for their own household
        open_demand(app, w, actor=neighbour)
    own = Actor(w["h1_head"], "resident", household_id=w["h1"])
    assert open_demand(app, w, actor=own, category="rubbish")["case_id"]
    assert app.case(own, case_id)["resident"]["phone"] == "13812345678"
    with pytest.raises(Forbidden):  # not on the team of this community
        open_demand(app, w, actor=Actor(uid(), "team_member"))
    assert open_demand(app, w, actor=Actor(w["med_a"], "team_member"), category="relief")
    assert app.queue(STAFF, community_id=w["community"])
