"""The casework application, narrated, against SQLite and PostgreSQL (fixture ``store``), with
the registry's facts delivered through the real inbox and a clock the test controls."""

from __future__ import annotations

from typing import Any

import pytest
from casework.application import Casework
from casework.contracts import catalogue, translate
from casework_testing import (
    AUDITOR,
    RUBBISH,
    STAFF,
    Feed,
    FixedClock,
    join,
    key,
    open_demand,
    refusal,
    uid,
    world,
)
from shequ.actor import SYSTEM, Actor
from shequ.errors import Conflict, Forbidden, NotFound, ValidationError


def published(app: Casework, after: int = 0) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for note in app.recorder.select_notifications(after, 1000, inclusive_of_start=False):
        found = translate(app.mapper.to_domain_event(note))
        if found:
            contract, data = found
            contract.validate(data)
            out.append((contract.name, data))
    return out


class TestLifecycle:
    def test_a_demand_goes_from_receipt_to_closure_with_every_step_an_event(
        self, casework: Casework, clock: FixedClock
    ) -> None:
        app, w = casework, world(casework)
        opened = open_demand(app, w, category="water_supply")
        case_id = opened["case_id"]
        assert opened["work_group"] == "welfare" and opened["due_on"] == "2026-03-05"
        accepted = app.accept_case(STAFF, key(), case_id=case_id)
        # routed to the welfare group's only member; due in 15 working days
        assert accepted["owner_id"] == w["wel"] and accepted["state"] == "assigned"
        assert accepted["due_on"] == "2026-03-23"
        owner = Actor(w["wel"], "team_member")
        app.start_case(owner, key(), case_id=case_id)
        clock.advance(3)
        app.resolve_case(owner, key(), case_id=case_id, evidence=["维修记录：更换阀门"])
        app.answer_case(owner, key(), case_id=case_id, text="已恢复供水")
        resident = Actor(w["h1_head"], "resident", household_id=w["h1"])
        # 16:30 UTC on 5 March is 00:30 on 6 March in the district: the civil date counts
        clock.set("2026-03-05T16:30:00+00:00")
        app.rate_case(resident, key(), case_id=case_id, rating=5, comment="满意")
        app.confirm_case(resident, key(), case_id=case_id)
        assert app.close_case(STAFF, key(), case_id=case_id)["state"] == "closed"
        events = [e["event"] for e in app.case_timeline(STAFF, case_id)["events"]]
        assert events == [
            "Received",
            "Accepted",
            "Assigned",
            "Started",
            "Resolved",
            "Answered",
            "Rated",
            "Confirmed",
            "Closed",
        ]
        timeline = app.case_timeline(STAFF, case_id)["events"]
        assert all(e["actor"].get("person_id") for e in timeline)
        names = [n for n, _ in published(app) if n.startswith("casework.")]
        assert names == [
            "casework.case.opened",
            "casework.case.accepted",
            "casework.case.assigned",
            "casework.case.resolved",
            "casework.case.answered",
            "casework.case.rated",
            "casework.case.closed",
        ]
        resolved = dict(published(app))["casework.case.resolved"]
        assert resolved["on_time"] is True and resolved["team_id"] == w["team"]
        rated = dict(published(app))["casework.case.rated"]
        assert rated == {
            "case_id": case_id,
            "community_id": w["community"],
            "team_id": w["team"],
            "rating": 5,
            "rated_on": "2026-03-06",
        }
        assert app.my_cases(resident, w["h1"])[0]["rating"] == 5

    def test_impossible_transitions_are_refused_and_change_nothing(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        case_id = open_demand(app, w)["case_id"]
        before = app.recorder.max_notification_id()
        assert (
            refusal(app.resolve_case, STAFF, key(), case_id=case_id, evidence=["x"])
            == "rule.transition"
        )
        assert refusal(app.rate_case, STAFF, key(), case_id=case_id, rating=3) == "rule.transition"
        assert refusal(app.close_case, STAFF, key(), case_id=case_id) == "rule.close.not_finished"
        with pytest.raises(ValidationError) as info:
            app.rate_case(STAFF, key(), case_id=case_id, rating=6)
        assert info.value.field == "rating" and info.value.message_en
        app.accept_case(STAFF, key(), case_id=case_id)
        app.start_case(STAFF, key(), case_id=case_id)
        assert (
            refusal(app.resolve_case, STAFF, key(), case_id=case_id, evidence=[])
            == "rule.resolve.evidence_required"
        )
        top = app.recorder.max_notification_id()
        assert (
            refusal(app.resolve_case, STAFF, key(), case_id=case_id, evidence=[])
            == "rule.resolve.evidence_required"
        )
        assert app.recorder.max_notification_id() == top > before

    def test_bad_input_names_the_field_and_stores_nothing(self, casework: Casework) -> None:
        app, w = casework, world(casework)
        before = app.recorder.max_notification_id()
        with pytest.raises(NotFound) as nf:
            open_demand(app, w, household_id=uid())
        assert nf.value.field == "household_id" and "户" in nf.value.message_zh
        with pytest.raises(NotFound):
            open_demand(app, w, household_id=None, community_id=uid())
        with pytest.raises(ValidationError) as info:
            open_demand(app, w, category="weather")
        assert info.value.field == "category"
        with pytest.raises(ValidationError) as info:
            open_demand(app, w, resident_phone="12345")
        assert info.value.field == "resident_phone"
        with pytest.raises(ValidationError) as info:
            open_demand(app, w, household_id=w["h1"], village_id=w["v2"])
        assert info.value.field == "village_id"
        with pytest.raises(NotFound):
            app.accept_case(STAFF, key(), case_id=uid())
        assert app.recorder.max_notification_id() == before

    def test_repeat_key_writes_nothing_and_other_payload_is_refused(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        k = key()
        demand = {**RUBBISH, "channel": "suggestion_box", "village_id": w["v1"]}
        first = app.open_case(STAFF, k, **demand)
        top = app.recorder.max_notification_id()
        again = app.open_case(STAFF, k, **demand)
        assert again == first and app.recorder.max_notification_id() == top
        with pytest.raises(Conflict) as info:
            app.open_case(STAFF, k, **{**demand, "title": "另一件事"})
        assert info.value.code == "idempotency_key_reused"
        assert app.recorder.max_notification_id() == top


class TestRouting:
    def test_routing_follows_the_team_as_the_registry_changes_it(self, casework: Casework) -> None:
        app, w = casework, world(casework)
        feed: Feed = w["feed"]
        first = open_demand(app, w, category="neighbour_dispute", case_type="dispute")
        got = app.accept_case(STAFF, key(), case_id=first["case_id"])
        assert got["owner_id"] == w["med_a"]  # fewest open cases, longest serving
        second = open_demand(
            app, w, category="family_dispute", case_type="dispute", household_id=w["h2"]
        )
        assert app.accept_case(STAFF, key(), case_id=second["case_id"])["owner_id"] == w["med_b"]
        # med_b leaves the team; a newcomer joins: the next case goes to the newcomer
        feed.send(
            "team.member_left",
            {
                "team_id": w["team"],
                "person_id": w["med_b"],
                "until": "2026-03-02",
                "reason": "调动",
            },
        )
        newcomer = uid()
        join(feed, w, newcomer, "mediation")
        third = open_demand(app, w, category="land_dispute", case_type="dispute", place="东坡地")
        assert app.accept_case(STAFF, key(), case_id=third["case_id"])["owner_id"] == newcomer

    def test_reassignment_needs_a_reason_and_co_handlers_come_from_the_team(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        case_id = open_demand(app, w, category="rubbish")["case_id"]
        assert app.accept_case(STAFF, key(), case_id=case_id)["owner_id"] == w["san"]
        assert (
            refusal(app.assign_case, STAFF, key(), case_id=case_id, owner_id=w["wel"])
            == "rule.reassign_needs_reason"
        )
        moved = app.assign_case(
            STAFF, key(), case_id=case_id, owner_id=w["wel"], reason="涉及供水管道"
        )
        assert moved["owner_id"] == w["wel"]
        assert app.case(STAFF, case_id)["work_group"] == "welfare"
        assert (
            refusal(app.assign_case, STAFF, key(), case_id=case_id, owner_id=uid(), reason="外请")
            == "rule.routing.not_team_member"
        )
        app.add_co_handler(STAFF, key(), case_id=case_id, person_id=w["san"])
        assert (
            refusal(app.add_co_handler, STAFF, key(), case_id=case_id, person_id=uid())
            == "rule.routing.not_team_member"
        )
        # the co-handler may now act on the case; a team member who is not on it may not
        app.start_case(Actor(w["san"], "team_member"), key(), case_id=case_id)
        with pytest.raises(Forbidden):
            app.pause_case(Actor(w["med_a"], "team_member"), key(), case_id=case_id, reason="等待")
        queue = app.queue(Actor(w["wel"], "team_member"), owner_id=w["wel"])
        assert [c["case_id"] for c in queue] == [case_id]
        with pytest.raises(Forbidden):
            app.queue(Actor(w["wel"], "team_member"), owner_id=w["san"])

    def test_a_registry_fact_delivered_twice_changes_nothing_the_second_time(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        feed: Feed = w["feed"]
        newcomer = uid()
        envelope = feed.envelope(
            "team.member_joined",
            {
                "team_id": w["team"],
                "community_id": w["community"],
                "person_id": newcomer,
                "group": "welfare",
                "name": "新队员",
                "phone": "13800000002",
                "duties": "",
                "since": "2020-01-01",
            },
        )
        assert feed.inbox.process(envelope) == "applied"
        top = app.recorder.max_notification_id()
        assert feed.inbox.process(envelope) == "duplicate"
        assert app.recorder.max_notification_id() == top
        case_id = open_demand(app, w)["case_id"]  # welfare: the longest-serving member now
        assert app.accept_case(STAFF, key(), case_id=case_id)["owner_id"] == newcomer

    def test_a_village_that_moves_takes_its_new_cases_to_the_new_community(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        w["feed"].send(
            "village.moved",
            {
                "village_id": w["v2"],
                "from_community_id": w["community"],
                "to_community_id": w["other_community"],
                "effective_date": "2026-03-01",
            },
        )
        case_id = open_demand(app, w, household_id=w["h2"])["case_id"]
        assert app.case(STAFF, case_id)["community_id"] == w["other_community"]
        assert app.accept_case(STAFF, key(), case_id=case_id)["owner_id"] is None  # no team


class TestOpinions:
    def test_an_opinion_becomes_exactly_one_case_even_when_delivered_twice(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        feed = Feed(app, "outreach")
        opinion = {
            "opinion_id": uid(),
            "community_id": w["community"],
            "village_id": w["v1"],
            "household_id": w["h1"],
            "category": "rubbish",
            "text": "村口垃圾堆放",
            "channel": "visit",
            "source_id": uid(),
            "collected_by": w["med_a"],
            "collected_on": "2026-03-01",
        }
        envelope = feed.envelope("opinion.collected", opinion)
        assert feed.inbox.process(envelope) == "applied"
        assert feed.inbox.process(envelope) == "duplicate"
        # the same opinion published again at a later position: still one case
        assert feed.send("opinion.collected", opinion) == "applied"
        cases = [
            c
            for c in app.queue(STAFF, community_id=w["community"])
            if c["origin_opinion_id"] == opinion["opinion_id"]
        ]
        assert len(cases) == 1 and cases[0]["owner_id"] == w["san"]
        opened = [d for n, d in published(app) if n == "casework.case.opened"]
        assert [d["origin_opinion_id"] for d in opened] == [opinion["opinion_id"]]
        # the same matter brought in person is flagged as a duplicate of the opinion's case
        again = open_demand(app, w, category="rubbish", title="村口垃圾又堆起来了")
        assert again["duplicate_of"] == cases[0]["case_id"]

    def test_outreach_categories_name_the_case_type_and_added_fields_pass(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        feed = Feed(app, "outreach")
        ids = {}
        for category in ("dispute", "opinion", "rubbish", "weather"):
            ids[category] = uid()
            assert (
                feed.send(
                    "opinion.collected",
                    {
                        "opinion_id": ids[category],
                        "community_id": w["community"],
                        "village_id": None,
                        "household_id": w["h1"],
                        "category": category,
                        "text": "……",
                        "channel": "visit",
                        "source_id": uid(),
                        "collected_by": "x",
                        "collected_on": "2026-03-01",
                        "added_later": "an upstream's new field",
                    },
                )
                == "applied"
            )
        cases = {c["origin_opinion_id"]: c for c in app.queue(STAFF, include_closed=True)}
        kinds = {k: (cases[v]["case_type"], cases[v]["work_group"]) for k, v in ids.items()}
        assert kinds == {
            "dispute": ("dispute", "mediation"),
            "opinion": ("suggestion", "services"),
            "rubbish": ("demand", "sanitation"),
            "weather": ("demand", "services"),
        }

    def test_an_opinion_arriving_before_the_registry_facts_still_becomes_a_case(
        self, casework: Casework
    ) -> None:
        app = casework
        feed = Feed(app, "outreach")
        community, opinion = uid(), uid()
        assert (
            feed.send(
                "opinion.collected",
                {
                    "opinion_id": opinion,
                    "community_id": community,
                    "village_id": None,
                    "household_id": None,
                    "category": "demand",
                    "text": "路灯坏了",
                    "channel": "visit",
                    "source_id": uid(),
                    "collected_by": "x",
                    "collected_on": "2026-03-01",
                },
            )
            == "applied"
        )
        assert not feed.dead.sent
        [case] = app.queue(STAFF, community_id=community)
        assert case["origin_opinion_id"] == opinion and case["owner_id"] is None

    def test_an_opinion_that_breaks_the_contract_is_dead_lettered(self, casework: Casework) -> None:
        app = casework
        world(app)
        feed = Feed(app, "outreach")
        before = app.recorder.max_notification_id()
        assert feed.send("opinion.collected", {"opinion_id": uid()}) == "dead_lettered"
        assert len(feed.dead.sent) == 1
        # the tracking moved, and the letter is kept in casework's own store (ADR 0013)
        assert app.recorder.max_notification_id() == before + 1


def test_every_contract_example_validates() -> None:
    assert {c.name for c in catalogue} >= {
        "casework.case.opened",
        "casework.case.assigned",
        "casework.case.resolved",
        "casework.case.rated",
        "casework.case.reopened",
        "casework.case.closed",
        "casework.case.chased",
        "casework.case.reprimanded",
        "casework.decision.resolution_published",
        "casework.decision.result_published",
    }
    for contract in catalogue:
        contract.validate(contract.example)


def test_auditor_reads_masked_and_cannot_write(casework: Casework) -> None:
    app, w = casework, world(casework)
    case_id = open_demand(app, w)["case_id"]
    seen = app.case(AUDITOR, case_id)["resident"]
    assert seen == {"name": "王**", "phone": "138****5678"}
    assert app.case(AUDITOR, case_id, purpose="抽查")["resident"] == seen
    with pytest.raises(Forbidden):
        app.accept_case(AUDITOR, key(), case_id=case_id)
    assert app.case(SYSTEM, case_id)["state"] == "received"


def test_staff_see_the_resident_only_with_a_purpose_and_clear_reads_are_recorded(
    casework: Casework,
) -> None:
    app, w = casework, world(casework)
    case_id = open_demand(app, w)["case_id"]
    owner = app.accept_case(STAFF, key(), case_id=case_id)["owner_id"]
    position = app.recorder.max_notification_id()
    masked = {"name": "王**", "phone": "138****5678"}
    assert app.case(STAFF, case_id)["resident"] == masked  # no purpose: masked, not recorded
    clear = {"name": "王示例", "phone": "13812345678"}
    assert app.case(STAFF, case_id, purpose="回访核实")["resident"] == clear
    assert app.case(Actor(owner, "team_member"), case_id)["resident"] == clear  # the handler
    own = Actor(w["h1_head"], "resident", household_id=w["h1"])
    assert app.case(own, case_id)["resident"] == clear  # the household's own: not a staff read
    assert app.recorder.max_notification_id() == position  # nothing written on the query path
    assert app.personal_data_reads(AUDITOR) == []
    assert app.reads.flush() == 2
    reads = app.personal_data_reads(AUDITOR, subject_id=w["h1"])
    assert [
        (
            r["reader_id"],
            r["reader_role"],
            r["use_case"],
            r["target_id"],
            r["purpose"],
            r["fields"],
            r["subject_name"],
        )
        for r in reads
    ] == [
        ("staff-1", "district_staff", "case", case_id, "回访核实", ["name", "phone"], "王**"),
        (owner, "team_member", "case", case_id, "承办本案（职责）", ["name", "phone"], "王**"),
    ]
    notes = app.recorder.select_notifications(position, 10, inclusive_of_start=False)
    assert [n.topic for n in notes] == ["platform:PersonalDataReads.Recorded"]
