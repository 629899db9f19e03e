"""The outreach domain without I/O: card sections and content addressing, rounds, contact
intervals (RULES §5), campaigns."""

from __future__ import annotations

from uuid import UUID

import pytest
from outreach.domain import Campaign, Directory, Household, VisitRound
from outreach.domain.common import add_months
from outreach.domain.contacts import check_contact, contact_due
from shequ.errors import RuleViolation

A = {"person_id": "staff-1", "role": "district_staff"}
ROUND = UUID("3f1c6a7e-0000-5000-8000-000000000001")


def _directory() -> Directory:
    d = Directory("c-1", A)
    d.team_formed("t-1", "服务队", ["mediation", "sanitation"], A)
    d.member_joined("p-2", "mediation", "后来", "13800000002", "协助", "2024-06-01", A)
    d.member_joined("p-1", "mediation", "先来", "13800000001", "调解", "2024-01-01", A)
    d.member_joined("p-3", "sanitation", "保洁", "13800000003", "保洁", "2024-01-01", A)
    return d


def test_team_section_shows_leader_and_each_groups_first_member():
    d = _directory()
    assert [(c["role"], c["person_id"]) for c in d.team_section()] == [
        ("mediation", "p-1"),
        ("sanitation", "p-3"),
    ]
    d.leader_appointed("p-3", A)
    assert d.team_section()[0]["role"] == "leader"
    d.member_left("p-1", A)
    assert [c["person_id"] for c in d.team_section()] == ["p-3", "p-2", "p-3"]
    assert d.leader_id == "p-3"


def test_card_is_content_addressed_and_old_versions_numbered_on():
    h = Household("h-1", "v-1", "c-1", "p-9", "一组1号", A)
    contacts = _directory().team_section()
    assert h.issue_card(contacts, "s1", "2025-01-01", "registered", A)
    assert not h.issue_card([dict(c) for c in contacts], "s1", "2025-01-02", "again", A)
    contacts[0] = {**contacts[0], "phone": "13900000000"}
    assert h.issue_card(contacts, "s1", "2025-01-03", "phone", A)
    assert h.card_version == 2
    assert not h.issue_card([], "", "2025-01-04", "empty", A)  # nothing to print: no card


def test_only_the_current_card_version_is_distributed_once():
    h = Household("h-1", "v-1", "c-1", "p-9", "一组1号", A)
    h.issue_card(_directory().team_section(), "s1", "2025-01-01", "registered", A)
    with pytest.raises(RuleViolation) as err:
        h.distribute(2, "2025-01-02", "p-1", "户主", A)
    assert err.value.code == "rule.card_version_not_current"
    h.distribute(1, "2025-01-02", "p-1", "户主", A)
    with pytest.raises(RuleViolation):
        h.distribute(1, "2025-01-03", "p-1", "户主", A)


def test_unlink_of_another_member_changes_nothing():
    h = Household("h-1", "v-1", "c-1", "p-9", "一组1号", A)
    h.linked("m-1", "2025-01-01", A)
    assert not h.unlink("m-2", "2025-02-01", A)
    assert h.party_member_id == "m-1"
    assert h.unlink("m-1", "2025-02-01", A) and h.party_member_id is None


def test_round_checks_visits():
    rnd = VisitRound.open(
        ROUND,
        "c-1",
        "走访",
        "visit",
        "2025-03-01",
        "2025-03-31",
        ["p-1"],
        [{"household_id": "h-1", "village_id": "v-1"}],
        A,
    )
    assert rnd.check_visit("h-1", "2025-03-31") == "v-1"
    for household, on, code in (
        ("h-2", "2025-03-02", "rule.household_not_in_round"),
        ("h-1", "2025-02-28", "rule.visit_outside_period"),
    ):
        with pytest.raises(RuleViolation) as err:
            rnd.check_visit(household, on)
        assert err.value.code == code
    rnd.close("2025-04-01", 1, A)
    with pytest.raises(RuleViolation):
        rnd.check_visit("h-1", "2025-03-02")
    with pytest.raises(RuleViolation):
        VisitRound.open(ROUND, "c-1", "走访", "visit", "2025-03-01", "2025-03-31", ["p-1"], [], A)


def test_rules_5_contact_interval_is_calendar_months():
    assert add_months("2025-01-31", 1) == "2025-02-28"
    assert add_months("2024-12-15", 1) == "2025-01-15"
    assert contact_due("2025-01-10", None, 1) == "2025-02-10"
    assert contact_due("2025-01-10", "2025-03-05", 1) == "2025-04-05"
    assert contact_due("2025-05-01", "2025-03-05", 1) == "2025-06-01"  # an older link's contact
    check_contact("m-1", "m-1", "2025-01-01", "2025-01-01", "2025-01-01")
    with pytest.raises(RuleViolation):
        check_contact("m-2", "m-1", "2025-01-01", "2025-01-05", "2025-02-01")


def test_campaign_rates_and_rules():
    c = Campaign.launch(ROUND, "c-1", "宣传", ["v-1"], "2025-01-01", "2025-01-31", A)
    c.record_survey("v-1", 4, 3, 2, 1, "2025-01-10", A)
    assert c.rates("v-1") == {
        "respondents": 4,
        "awareness": 0.75,
        "support": 0.5,
        "participation": 0.25,
    }
    assert c.publish("2025-02-01", A) == ["v-1"]
    with pytest.raises(RuleViolation):
        c.publish("2025-02-02", A)
