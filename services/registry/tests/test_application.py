"""The registry application, narrated, against SQLite and PostgreSQL (fixture ``store``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from registry.application import Registry
from registry.contracts import catalogue, translate
from registry.seed import sample_person, seed_demo
from registry.settings import RegistrySettings
from registry_testing import new_person, opened_registry
from shequ.actor import SYSTEM, Actor
from shequ.errors import Conflict, Forbidden, RuleViolation, ValidationError
from shequ.store import Store
from shequ.testing import refused
from sqlalchemy import text

STAFF = Actor("staff-1", "district_staff")
AUDITOR = Actor("auditor-1", "auditor")


def small_world(app: Registry) -> dict[str, Any]:
    """A district with two communities, two villages in the first, one in the second."""
    w: dict[str, Any] = {}
    app.establish_district(SYSTEM, "key:w:district", name="胶河经济区")
    w["organ"] = app.establish_organ(SYSTEM, "key:w:organ", name="农业服务站", kind="station")[
        "organ_id"
    ]
    for name, en in (("立柱", "Lizhu"), ("塔桥", "Taqiao")):
        w[en] = app.establish_community(SYSTEM, f"key:w:c:{en}", name=name, name_en=en)[
            "community_id"
        ]
    for label, community in (("v1", "Lizhu"), ("v2", "Lizhu"), ("v3", "Taqiao")):
        w[label] = app.register_village(
            SYSTEM,
            f"key:w:village:{label}",
            community_id=w[community],
            name=f"示例{label}村",
            sample=True,
            registered_on="2024-01-01",
        )["village_id"]
        w[f"{label}_branch"] = app.establish_organisation(
            SYSTEM,
            f"key:w:branch:{label}",
            kind="village_branch",
            name=f"示例{label}村党支部",
            village_id=w[label],
        )["organisation_id"]
        w[f"{label}_sec"] = _fixed_person(app, int(label[1]), w[label])
        app.appoint(
            SYSTEM,
            f"key:w:sec:{label}",
            organisation_id=w[f"{label}_branch"],
            person_id=w[f"{label}_sec"],
            post="secretary",
            since="2024-01-01",
        )
    w["general"] = app.establish_organisation(
        SYSTEM,
        "key:w:general",
        kind="general_branch",
        name="立柱社区党总支",
        community_id=w["Lizhu"],
    )["organisation_id"]
    return w


def _fixed_person(app: Registry, i: int, village_id: str) -> str:
    """A village secretary of the small world, registered under a fixed key (idempotent)."""
    return str(
        app.register_person(
            SYSTEM,
            f"key:w:person:{i}",
            village_id=village_id,
            kinds=["resident", "party_member"],
            **sample_person(9000 + i, f"书记示{i}"),
        )["person_id"]
    )


def appoint(
    app: Registry, w: dict[str, Any], person: str, post: str, since: str = "2024-02-01"
) -> dict[str, Any]:
    return app.appoint(
        STAFF,
        f"key:appoint:{person}:{post}:{since}",
        organisation_id=w["general"],
        person_id=person,
        post=post,
        since=since,
    )


def rule_code(fn: Any, *args: Any, **kwargs: Any) -> str:
    return refused(fn, *args, **kwargs).code


class TestRegistryScenario:
    def test_general_branch_is_composed_by_the_policy(self, registry: Registry) -> None:
        app, w = registry, small_world(registry)
        leader, cadre = new_person(app, None, ["cadre"]), new_person(app, None, ["cadre"])
        # Without a seat on the leadership team, nobody can be secretary.
        assert (
            rule_code(appoint, app, w, leader, "secretary") == "rule.secretary_not_district_leader"
        )
        app.appoint_district_leader(
            STAFF, "key:leader:1", person_id=leader, title="副主任", since="2024-01-01"
        )
        assert appoint(app, w, leader, "secretary")["basis"] == "district_leader"
        assert rule_code(appoint, app, w, cadre, "deputy_secretary") == "rule.deputy_not_eligible"
        app.assign_cadre(
            STAFF,
            "key:cadre:1",
            person_id=cadre,
            organ_id=w["organ"],
            community_id=w["Lizhu"],
            since="2024-01-01",
        )
        assert appoint(app, w, cadre, "deputy_secretary")["basis"] == "organ_cadre"
        assert appoint(app, w, w["v1_sec"], "deputy_secretary")["basis"] == "village_secretary"
        assert rule_code(appoint, app, w, w["v1_sec"], "member") == "rule.person_already_holds_post"
        # v3 is in Taqiao: its secretary is not one of Lizhu's village secretaries ...
        assert (
            rule_code(appoint, app, w, w["v3_sec"], "member") == "rule.member_not_village_secretary"
        )
        appoint(app, w, w["v2_sec"], "member")
        # ... until v3 moves to Lizhu, from the move's effective date.
        app.move_village(
            STAFF,
            "key:move:v3",
            village_id=w["v3"],
            to_community_id=w["Lizhu"],
            effective_date="2024-03-01",
        )
        assert (
            rule_code(appoint, app, w, w["v3_sec"], "member", since="2024-02-15")
            == "rule.member_not_village_secretary"
        )
        appoint(app, w, w["v3_sec"], "member", since="2024-03-01")
        chart = app.organisation_chart(STAFF, w["Lizhu"], on="2024-03-01")
        posts = [(p["post"], p["person_id"]) for p in chart["general_branch"]["posts"]]
        assert posts[0] == ("secretary", leader)
        assert sorted(p for p, _ in posts) == [
            "deputy_secretary",
            "deputy_secretary",
            "member",
            "member",
            "secretary",
        ]
        assert len(chart["village_branches"]) == 3

    def test_repeat_key_writes_nothing_and_other_payload_is_refused(
        self, registry: Registry
    ) -> None:
        app = registry
        small_world(app)
        before = app.recorder.max_notification_id()
        again = small_world(app)
        assert app.recorder.max_notification_id() == before
        assert again["Lizhu"] == small_world(app)["Lizhu"]
        with pytest.raises(Conflict) as info:
            app.establish_community(SYSTEM, "key:w:c:Lizhu", name="下泊", name_en="Xiabo")
        assert info.value.code == "idempotency_key_reused"
        assert app.recorder.max_notification_id() == before

    def test_bad_input_and_broken_rules_store_nothing(self, registry: Registry) -> None:
        app, w = registry, small_world(registry)
        before = app.recorder.max_notification_id()
        person = {"name": "张示", "gender": "male", "village_id": w["v1"]}
        bad = {  # the field refused: an ID number with a wrong check digit, a phone of ten digits
            "id_number": {"id_number": "370785198001010018", "phone": "13800000000"},
            "phone": {"id_number": "370785198001010019", "phone": "2380000000"},
        }
        for n, (field, numbers) in enumerate(bad.items(), 1):
            with pytest.raises(ValidationError) as info:
                app.register_person(STAFF, f"key:bad:person:{n}", **person, **numbers)
            assert info.value.field == field
        with pytest.raises(RuleViolation):
            appoint(app, w, w["v3_sec"], "member")
        app.form_team(STAFF, "key:team:twice:1", community_id=w["Lizhu"])
        assert (
            rule_code(app.form_team, STAFF, "key:team:twice:2", community_id=w["Lizhu"])
            == "rule.team_already_formed"
        )
        assert app.recorder.max_notification_id() == before + 3  # the first team only

    def test_masking_and_recorded_reads(self, registry: Registry, store: Store) -> None:
        """Masked by default; in clear for the household, its team, and staff with a purpose;
        every clear read by someone else than the household is recorded, in the log."""
        app, w = registry, small_world(registry)
        team = app.form_team(STAFF, "key:team:lizhu", community_id=w["Lizhu"])["team_id"]
        member = new_person(app, w["v1"])
        app.add_team_member(
            STAFF,
            "key:tm:1",
            team_id=team,
            person_id=member,
            group="mediation",
            duties="调解",
            phone="13912345678",
        )
        head = new_person(app, w["v1"])
        hh = app.register_household(
            STAFF,
            "key:hh:1",
            village_id=w["v1"],
            head_id=head,
            address="示例v1村第一村民小组3号",
            sample=True,
        )["household_id"]
        community_staff = Actor("cs", "community_staff", community_id=w["Lizhu"])
        resident = Actor("r", "resident", household_id=hh)
        position = app.recorder.max_notification_id()
        # masked by default: staff without a purpose, auditors even with one, other team work
        for who, purpose in ((community_staff, None), (STAFF, None), (AUDITOR, "核对")):
            assert _roster_phone(app, who, w, purpose) == "139****5678"
            shown = app.household(who, hh, purpose=purpose)
            assert "*" in shown["members"][0]["phone"] and "*" in shown["members"][0]["name"]
            assert shown["address"] == "示例v1村第一村民小组**"
        assert _roster_phone(app, Actor(member, "team_member"), w) == "139****5678"
        # in clear: the household itself (not a staff read), its team (duty), staff with purpose
        own = app.household(resident, hh)
        assert own["members"][0]["phone"].isdigit() and own["address"].endswith("3号")
        assert own["members"][0]["id_number"][6:14] == "********"
        teams = app.household(Actor(member, "team_member"), hh)["members"][0]
        assert teams["phone"].isdigit() and "*" not in teams["name"]
        staff = app.household(community_staff, hh, purpose="核实低保申请")["members"][0]
        assert staff["phone"].isdigit() and staff["id_number"][6:14] == "********"
        assert _roster_phone(app, STAFF, w, "通知培训") == "13912345678"
        # noted in memory, not written on the query's path; one event per flush, in the log
        assert app.recorder.max_notification_id() == position
        assert app.personal_data_reads(AUDITOR) == []
        assert app.reads.flush() == 3
        notes = app.recorder.select_notifications(position, 10, inclusive_of_start=False)
        assert [n.topic for n in notes] == ["platform:PersonalDataReads.Recorded"]
        reads = app.personal_data_reads(AUDITOR)
        assert [
            (r["reader_id"], r["reader_role"], r["use_case"], r["purpose"], r["fields"])
            for r in reads
        ] == [
            (
                member,
                "team_member",
                "household",
                "服务队联系本户（职责）",
                ["address", "name", "phone"],
            ),
            ("cs", "community_staff", "household", "核实低保申请", ["address", "name", "phone"]),
            ("staff-1", "district_staff", "team_roster", "通知培训", ["phone"]),
        ]
        assert reads[0]["subject_id"] == head and reads[0]["target_id"] == hh
        assert reads[0]["subject_name"].startswith("测") and "*" in reads[0]["subject_name"]
        assert reads[2]["subject_id"] == member and reads[2]["target_id"] == team
        with pytest.raises(Forbidden):
            app.personal_data_reads(community_staff)
        # reveal_personal_data: still only for staff, with a reason, and listed the same way
        with pytest.raises(Forbidden):
            app.reveal_personal_data(
                AUDITOR, "key:reveal:0", person_id=head, fields=["id_number"], reason="核对"
            )
        shown = app.reveal_personal_data(
            STAFF,
            "key:reveal:1",
            person_id=head,
            fields=["id_number", "phone"],
            reason="核对低保材料",
        )
        assert "*" not in shown["values"]["id_number"]
        by_staff = app.personal_data_reads(AUDITOR, subject_id=head, reader_id="staff-1")
        assert [(r["use_case"], r["fields"], r["purpose"]) for r in by_staff] == [
            ("reveal_personal_data", ["id_number", "phone"], "核对低保材料")
        ]
        # the dated histories mask and record the same way
        assert "*" in app.household_history(community_staff, hh)["changes"][0]["name"]
        assert "*" not in app.household_history(resident, hh)["changes"][0]["name"]
        assert "*" not in app.person_history(STAFF, head, purpose="核对迁出记录")["name"]
        assert app.reads.flush() == 1
        last = app.personal_data_reads(AUDITOR, subject_id=head)[-1]
        assert (last["use_case"], last["purpose"], last["reader_id"]) == (
            "person_history",
            "核对迁出记录",
            "staff-1",
        )
        # a release whose read model changed rebuilds it from the log: the reads come back
        listed = app.personal_data_reads(AUDITOR)
        with app.projector.engine.begin() as c:
            c.execute(text("UPDATE shequ_read_models SET fingerprint = 'an earlier release'"))
        with opened_registry(store) as upgraded:
            assert upgraded.personal_data_reads(AUDITOR) == listed

    def test_a_team_member_finds_the_communities_they_serve(self, registry: Registry) -> None:
        """``team_memberships``: each team the person is in now, with its community by name
        and the group; a member asks about themself only; leaving takes it off."""
        app, w = registry, small_world(registry)
        member = new_person(app, w["v1"])
        joined = []
        for n, (community, group) in enumerate((("Lizhu", "mediation"), ("Taqiao", "sanitation"))):
            team = app.form_team(STAFF, f"key:team:{community}", community_id=w[community])
            joined.append(team["team_id"])
            app.add_team_member(
                STAFF,
                f"key:tm:serves:{n}",
                team_id=team["team_id"],
                person_id=member,
                group=group,
                duties="联系群众",
            )
        me = Actor(member, "team_member")
        teams = app.team_memberships(me, person_id=member)["teams"]
        assert [(x["community_id"], x["name"], x["group"]) for x in teams] == [
            (w["Taqiao"], "塔桥", "sanitation"),
            (w["Lizhu"], "立柱", "mediation"),
        ]  # by name (塔 before 立 in code points)
        other = new_person(app, w["v1"])
        with pytest.raises(Forbidden):
            app.team_memberships(me, person_id=other)
        assert app.team_memberships(STAFF, person_id=other)["teams"] == []
        app.remove_team_member(
            STAFF,
            "key:tm:serves:left",
            team_id=joined[1],
            person_id=member,
            until=dt.date.today().isoformat(),
        )
        (left,) = app.team_memberships(me, person_id=member)["teams"]
        assert left["community_id"] == w["Lizhu"]

    def test_archive_as_of_a_date(self, registry: Registry) -> None:
        app, w = registry, small_world(registry)
        village = {"subject_kind": "village", "subject_id": w["v1"], "retention": "permanent"}
        first = app.record_archive_entry(
            STAFF,
            "key:arch:1",
            entry_date="2024-01-10",
            title="村情",
            content="三个村民小组",
            **village,
        )
        app.record_archive_entry(
            STAFF,
            "key:arch:2",
            entry_date="2024-05-10",
            title="村情（更正）",
            content="四个村民小组",
            corrects=first["entry_id"],
            **village,
        )
        early = app.archive(AUDITOR, "village", w["v1"], as_of="2024-03-01")["entries"]
        late = app.archive(AUDITOR, "village", w["v1"], as_of="2024-06-01")["entries"]
        assert [e["title"] for e in early] == ["村情"] and early[0]["superseded_by"] is None
        assert late[0]["superseded_by"] == late[1]["entry_id"]
        assert late[1]["retention_zh"] == "永久"

    def test_household_limits_from_settings(self, store: Store) -> None:
        with opened_registry(store, RegistrySettings(min_households=2, max_households=3)) as app:
            w = small_world(app)
            pm = w["v1_sec"]
            app.assign_zone(
                STAFF, "key:zone:1", party_member_id=pm, community_id=w["Lizhu"], name="一组"
            )
            households = [
                app.register_household(
                    STAFF,
                    f"key:hh:{i}",
                    village_id=w["v1"],
                    head_id=new_person(app, w["v1"]),
                    address="示例v1村一组",
                )["household_id"]
                for i in range(4)
            ]
            app.link_household(STAFF, "key:link:0", party_member_id=pm, household_id=households[0])
            below = app.members_below_minimum(STAFF, w["Lizhu"])
            assert [(m["person_id"], m["households"]) for m in below if m["person_id"] == pm] == [
                (pm, 1)
            ]
            for i in (1, 2):
                app.link_household(
                    STAFF, f"key:link:{i}", party_member_id=pm, household_id=households[i]
                )
            assert pm not in {m["person_id"] for m in app.members_below_minimum(STAFF)}
            assert (
                rule_code(
                    app.link_household,
                    STAFF,
                    "key:link:3",
                    party_member_id=pm,
                    household_id=households[3],
                )
                == "rule.household_limit_reached"
            )

    def test_seed_twice_and_every_event_fits_its_contract(self, registry: Registry) -> None:
        app = registry
        ids = seed_demo(app, SYSTEM, households_per_village=5)
        last = app.recorder.max_notification_id()
        assert seed_demo(app, SYSTEM, households_per_village=5) == ids
        assert app.recorder.max_notification_id() == last
        lizhu = ids["communities"]["Lizhu"]
        person = lizhu["villages"][0]["secretary_id"]
        app.reveal_personal_data(
            STAFF, "key:seed:reveal", person_id=person, fields=["phone"], reason="核实"
        )
        names = _check_contracts(app)
        assert {
            f"registry.{n}"
            for n in (
                "community.established",
                "team.member_joined",
                "party_member.household_linked",
                "appointment.made",
                "household.member_added",
            )
        } <= names
        # Every village-based member in the seed has 5-10 households; the district's own
        # party members (leaders, organ cadres) have no zone yet and are listed, unplaced.
        below = app.members_below_minimum(STAFF)
        assert below and all(m["community_id"] is None and m["households"] == 0 for m in below)
        assert app.members_below_minimum(STAFF, community_id=lizhu["community_id"]) == []
        chart = app.organisation_chart(AUDITOR, lizhu["community_id"], on="2024-06-01")
        assert len(chart["general_branch"]["posts"]) == 5
        # RULES §6: auditors see post holders' names masked, as the README's table says
        posts = chart["general_branch"]["posts"] + [
            p for v in chart["village_branches"] for p in v["posts"]
        ]
        assert posts and all(p["name"].endswith("*") for p in posts)
        staff_chart = app.organisation_chart(STAFF, lizhu["community_id"], on="2024-06-01")
        assert not any(p["name"].endswith("*") for p in staff_chart["general_branch"]["posts"])


def _roster_phone(
    app: Registry, actor: Actor, w: dict[str, Any], purpose: str | None = None
) -> str:
    groups = app.team_roster(actor, w["Lizhu"], purpose=purpose)["groups"]
    return str(next(g for g in groups if g["key"] == "mediation")["members"][0]["phone"])


def _check_contracts(app: Registry) -> set[str]:
    names: set[str] = set()
    for note in app.recorder.select_notifications(0, 100000):
        event = app.mapper.to_domain_event(note)
        out = translate(event)
        kind = type(event).__qualname__
        if out is None:
            assert kind.split(".")[0] in (
                "CommandRecord",
                "Archive",
                "PersonalDataAccess",
                "PersonalDataReads",
                "Community",
            )
            continue
        contract, data = out
        assert catalogue.get(contract.name, contract.version) is contract
        contract.validate(data)
        if contract.name == "registry.team.member_joined":
            assert "*" not in data["phone"] and "*" not in data["name"]
        names.add(contract.name)
    return names
