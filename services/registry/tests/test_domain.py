"""Domain rules, no I/O: each rule's violation asserted by its code and field."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate
from registry.domain import (
    Archive,
    Community,
    District,
    Eligibility,
    Household,
    PartyOrganisation,
    PersonalDataAccess,
    ResponsibilityZone,
    ServiceTeam,
    Village,
)
from registry.domain.team import GROUPS
from shequ.errors import RuleViolation

A = {"person_id": "tester", "role": "district_staff"}
T = TypeVar("T", bound=Aggregate)
LEADER = Eligibility(district_leader=True)
CADRE = Eligibility(organ_cadre=True)
VSEC = Eligibility(village_secretary_here=True)
NOBODY = Eligibility()


def violates(code: str, field: str | None, fn: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    assert info.value.code == f"rule.{code}"
    assert info.value.field == field
    assert info.value.message_zh and info.value.message_en


def new(cls: type[T], **fields: Any) -> T:
    """A new aggregate under a fresh id, recorded by the test's actor ``A``."""
    # eventsourcing takes the explicit id at runtime; mypy sees only the @event __init__'s.
    return cls(id=uuid4(), actor=A, **fields)  # type: ignore[call-arg]


def branch(kind: str = "general_branch") -> PartyOrganisation:
    return new(
        PartyOrganisation,
        kind=kind,
        name="立柱社区党总支",
        community_id="c1",
        village_id=None,
        parent_id=None,
    )


def appoint(
    org: PartyOrganisation, person: str, post: str, facts: Eligibility, since: str = "2024-01-01"
) -> str:
    appointment_id = str(uuid4())
    org.appoint(appointment_id, person, post, since, facts, A)
    return appointment_id


class TestGeneralBranchComposition:
    def test_secretary_must_be_district_leader(self) -> None:
        org = branch()
        violates(
            "secretary_not_district_leader", "person_id", appoint, org, "p1", "secretary", CADRE
        )
        appoint(org, "p1", "secretary", LEADER)
        assert org.current("2024-01-01")[0]["basis"] == "district_leader"

    def test_one_secretary_at_a_time(self) -> None:
        org = branch()
        first = appoint(org, "p1", "secretary", LEADER)
        violates("post_already_filled", "post", appoint, org, "p2", "secretary", LEADER)
        org.end_appointment(first, "2024-06-01", "调动", A)
        appoint(org, "p2", "secretary", LEADER, since="2024-06-01")

    def test_deputy_must_be_cadre_or_village_secretary(self) -> None:
        violates(
            "deputy_not_eligible", "person_id", appoint, branch(), "p1", "deputy_secretary", LEADER
        )

    def test_one_organ_cadre_deputy(self) -> None:
        org = branch()
        appoint(org, "p1", "deputy_secretary", CADRE)
        violates("deputy_organ_cadre_filled", "post", appoint, org, "p2", "deputy_secretary", CADRE)

    def test_one_village_secretary_deputy(self) -> None:
        org = branch()
        appoint(org, "p1", "deputy_secretary", VSEC)
        violates(
            "deputy_village_secretary_filled", "post", appoint, org, "p2", "deputy_secretary", VSEC
        )

    def test_two_deputies_of_different_kinds(self) -> None:
        org = branch()
        appoint(org, "p1", "deputy_secretary", CADRE)
        appoint(org, "p2", "deputy_secretary", VSEC)
        assert sorted(a["basis"] for a in org.current("2024-01-01")) == [
            "organ_cadre",
            "village_secretary",
        ]

    def test_member_must_be_village_secretary_here(self) -> None:
        violates(
            "member_not_village_secretary", "person_id", appoint, branch(), "p1", "member", CADRE
        )
        appoint(branch(), "p1", "member", VSEC)

    def test_deputy_may_not_also_be_member(self) -> None:
        org = branch()
        appoint(org, "p1", "deputy_secretary", VSEC)
        violates("person_already_holds_post", "person_id", appoint, org, "p1", "member", VSEC)

    def test_other_kinds_have_no_composition_rule(self) -> None:
        org = branch("village_branch")
        appoint(org, "p1", "secretary", NOBODY)
        appoint(org, "p2", "deputy_secretary", NOBODY)
        appoint(org, "p3", "member", NOBODY)


class TestAppointmentEnds:
    def test_end_before_start_refused(self) -> None:
        org = branch()
        a = appoint(org, "p1", "secretary", LEADER, since="2024-05-01")
        violates("end_before_start", "until", org.end_appointment, a, "2024-04-30", "", A)

    def test_end_twice_refused_and_unknown_refused(self) -> None:
        org = branch()
        a = appoint(org, "p1", "secretary", LEADER)
        org.end_appointment(a, "2024-02-01", "届满", A)
        violates(
            "appointment_already_ended",
            "appointment_id",
            org.end_appointment,
            a,
            "2024-03-01",
            "",
            A,
        )
        violates(
            "unknown_appointment",
            "appointment_id",
            org.end_appointment,
            "nope",
            "2024-03-01",
            "",
            A,
        )
        assert org.current("2024-01-15") and not org.current("2024-02-01")


class TestDistrict:
    def district(self) -> District:
        d = District(id=District.create_id(), name="胶河经济区", actor=A)
        d.establish_organ("o1", "农业服务站", "station", A)
        return d

    def test_leadership_is_dated(self) -> None:
        d = self.district()
        d.appoint_leader("p1", "副主任", "2024-01-01", A)
        violates("already_leader", "person_id", d.appoint_leader, "p1", "主任", "2024-02-01", A)
        d.end_leadership("p1", "2024-06-01", A)
        assert d.is_leader("p1", "2024-05-31") and not d.is_leader("p1", "2024-06-01")
        assert not d.is_leader("p1", "2023-12-31")
        violates("not_a_leader", "person_id", d.end_leadership, "p1", "2024-07-01", A)

    def test_cadres_belong_to_known_organs(self) -> None:
        d = self.district()
        violates("unknown_organ", "organ_id", d.assign_cadre, "p1", "o9", None, "2024-01-01", A)
        d.assign_cadre("p1", "o1", "c1", "2024-01-01", A)
        violates("already_cadre", "person_id", d.assign_cadre, "p1", "o1", None, "2024-02-01", A)
        assert d.is_cadre("p1", "2024-03-01")
        violates("organ_exists", "name", d.establish_organ, "o1", "农业服务站", "station", A)
        violates("not_a_cadre", "person_id", d.release_cadre, "p9", "2024-02-01", A)


def east_village() -> Village:
    """东村, registered in community c1 on 2024-01-01."""
    return new(Village, name="东村", community_id="c1", registered_on="2024-01-01", sample=True)


class TestVillageMoves:
    def test_move_is_dated(self) -> None:
        v = east_village()
        v.move("c2", "2024-06-01", A)
        assert (v.community_on("2024-05-31"), v.community_on("2024-06-01")) == ("c1", "c2")
        assert v.community_on("2023-01-01") is None
        violates("village_already_in_community", "to_community_id", v.move, "c2", "2024-07-01", A)
        violates("move_not_after_previous", "effective_date", v.move, "c1", "2024-06-01", A)

    def test_move_event_records_from_and_actor(self) -> None:
        v = east_village()
        v.move("c2", "2024-06-01", A)
        moved = v.collect_events()[-1]
        assert type(moved).__name__ == "VillageMoved"
        assert (moved.from_community_id, moved.actor) == ("c1", A)


class TestTeams:
    def test_one_team_per_community(self) -> None:
        c = new(Community, name="立柱", name_en="Lizhu", district_id="d")
        c.form_team("t1", A)
        violates("team_already_formed", "community_id", c.form_team, "t2", A)

    def test_members_phone_and_duties(self) -> None:
        t = new(ServiceTeam, community_id="c1", name="队", groups=GROUPS)
        violates(
            "unknown_group",
            "group",
            t.join,
            "p1",
            "police",
            "王",
            "13800000000",
            "x",
            "2024-01-01",
            A,
        )
        violates("not_team_member", "person_id", t.appoint_leader, "p1", "2024-01-01", A)
        t.join("p1", "mediation", "王", "13800000000", "调解", "2024-01-01", A)
        violates(
            "already_team_member",
            "person_id",
            t.join,
            "p1",
            "finance",
            "王",
            "13800000000",
            "x",
            "2024-01-01",
            A,
        )
        violates("phone_unchanged", "phone", t.change_phone, "p1", "13800000000", A)
        violates("duties_unchanged", "duties", t.change_duties, "p1", "调解", A)
        t.change_phone("p1", "13900000000", A)
        t.change_duties("p1", "信访", A)
        t.appoint_leader("p1", "2024-01-01", A)
        t.leave("p1", "2024-02-01", "调动", A)
        assert t.leader_id is None and not t.members
        names = [type(e).__name__ for e in t.collect_events()]
        assert "MemberPhoneChanged" in names and "MemberDutiesChanged" in names


class TestHouseholdLinks:
    def zone(self, is_party_member: bool = True) -> ResponsibilityZone:
        return ResponsibilityZone.assign(uuid4(), "pm", is_party_member, "c1", None, "一组", "", A)

    def test_only_party_members_get_zones(self) -> None:
        violates("not_party_member", "party_member_id", self.zone, False)

    def test_maximum_households(self) -> None:
        z = self.zone()
        for i in range(10):
            z.link(f"h{i}", "2024-01-01", 10, False, A)
        violates(
            "household_limit_reached", "household_id", z.link, "h10", "2024-01-01", 10, False, A
        )
        z.unlink("h0", "2024-02-01", "", A)
        z.link("h10", "2024-02-01", 10, False, A)

    def test_links_are_unique(self) -> None:
        z = self.zone()
        z.link("h1", "2024-01-01", 10, False, A)
        violates(
            "household_already_linked", "household_id", z.link, "h1", "2024-01-01", 10, False, A
        )
        violates(
            "household_linked_to_other_member",
            "household_id",
            z.link,
            "h2",
            "2024-01-01",
            10,
            True,
            A,
        )
        violates("household_not_linked", "household_id", z.unlink, "h9", "2024-01-01", "", A)


class TestHouseholdsArchivesReads:
    def test_household_membership(self) -> None:
        h = new(
            Household,
            village_id="v",
            head_id="p1",
            address="东村一组",
            since="2024-01-01",
            sample=True,
        )
        violates("second_head", "relation", h.add_member, "p2", "head", "2024-01-01", A)
        h.add_member("p2", "spouse", "2024-01-01", A)
        violates("already_member", "person_id", h.add_member, "p2", "child", "2024-01-01", A)
        violates("cannot_remove_head", "person_id", h.remove_member, "p1", "2024-02-01", "x", A)
        violates("not_a_member", "person_id", h.remove_member, "p9", "2024-02-01", "x", A)
        h.remove_member("p2", "2024-02-01", "迁出", A)
        assert list(h.members) == ["p1"]

    def test_archive_corrections_name_an_existing_entry(self) -> None:
        a = new(Archive, subject_kind="village", subject_id="v", community_id="c")
        violates(
            "unknown_entry",
            "corrects",
            a.record_entry,
            "e2",
            "2024-01-01",
            "t",
            "",
            "permanent",
            "e1",
            A,
        )
        a.record_entry("e1", "2024-01-01", "t", "", "10y", None, A)
        violates(
            "entry_exists", "entry_id", a.record_entry, "e1", "2024-01-01", "t", "", "10y", None, A
        )

    def test_personal_data_read_needs_a_reason(self) -> None:
        violates(
            "read_without_reason",
            "reason",
            PersonalDataAccess.record,
            uuid4(),
            "p",
            ["phone"],
            " ",
            "2024-01-01T00:00:00+00:00",
            A,
        )
        read = PersonalDataAccess.record(uuid4(), "p", ["phone"], "核实", "t", A)
        assert type(read.collect_events()[0]).__name__ == "PersonalDataRead"


def test_replay_gives_the_same_state() -> None:
    org = branch()
    a = appoint(org, "p1", "secretary", LEADER)
    appoint(org, "p2", "deputy_secretary", CADRE)
    org.end_appointment(a, "2024-03-01", "届满", A)
    copy = None
    for e in org.collect_events():
        copy = e.mutate(copy)
    assert copy is not None and copy.appointments == org.appointments
