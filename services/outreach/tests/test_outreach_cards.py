"""Contact cards (联系卡制度) on SQLite and PostgreSQL, fed through the real inbox.

Re-issue is exact: a change re-issues the households whose card shows what changed, and only
those, once, even when the envelope is delivered twice or arrives in a batch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from outreach.settings import OutreachSettings
from outreach_testing import AUDITOR, STAFF, World
from shequ.actor import SYSTEM, Actor
from shequ.errors import Forbidden, NotFound, RuleViolation, ValidationError
from shequ.store import Store

from tests.support.readme import readme_sections, returned_fields


def test_every_household_gets_a_card_with_leader_group_contacts_and_party_member(world: World):
    x = world.district(2)
    member = world.person("党员甲", party=True)
    world.link(member, x["households"][0])
    card = world.card(x["households"][0])
    roles = [c["role"] for c in card["contacts"]]
    assert roles == [
        "leader",
        "mediation",
        "sanitation",
        "welfare",
        "services",
        "finance",
        "volunteers",
        "party_member",
    ]
    assert card["version"] == 2  # the link re-issued it
    assert x["unshown"] not in {c["person_id"] for c in card["contacts"]}
    assert [c["role"] for c in world.card(x["households"][1])["contacts"]][-1] == "volunteers"
    assert card["case_url"].endswith(f"household={x['households'][0]}")


def test_phone_change_of_a_shown_member_reissues_exactly_that_community_once(world: World):
    x = world.district(3)
    other = world.district(2)
    shown = x["members"]["sanitation"]
    env = world.registry.envelope(
        "team.member_phone_changed",
        {"team_id": x["team_id"], "person_id": shown, "phone": "13812345678"},
    )
    assert world.registry.inbox.process(env) == "applied"
    top = world.top()
    assert world.registry.inbox.process(env) == "duplicate"  # delivered twice
    assert world.top() == top
    for hid in x["households"]:
        assert world.versions(hid) == [1, 2]
        phones = {c["person_id"]: c["phone"] for c in world.card(hid)["contacts"]}
        assert phones[shown] == "13812345678"
    for hid in other["households"]:
        assert world.versions(hid) == [1]


def test_the_same_change_sent_again_as_a_new_message_issues_nothing(world: World):
    """Content-addressed cards: an unchanged card is not issued again."""
    x = world.district(2)
    shown = x["members"]["welfare"]
    world.registry.send(
        "team.member_phone_changed", team_id=x["team_id"], person_id=shown, phone="13812345678"
    )
    top = world.top()
    assert (
        world.registry.send(
            "team.member_phone_changed", team_id=x["team_id"], person_id=shown, phone="13812345678"
        )
        == "applied"
    )
    assert world.top() == top
    assert world.versions(x["households"][0]) == [1, 2]


def test_change_to_a_member_not_on_the_cards_reissues_nothing(world: World):
    x = world.district(2)
    world.registry.send(
        "team.member_duties_changed", team_id=x["team_id"], person_id=x["unshown"], duties="新职责"
    )
    world.registry.send(
        "team.member_phone_changed",
        team_id=x["team_id"],
        person_id=x["unshown"],
        phone="13700000000",
    )
    assert all(world.versions(h) == [1] for h in x["households"])


def test_duties_leader_and_departure_changes_reissue(world: World):
    x = world.district(1)
    hid = x["households"][0]
    world.registry.send(
        "team.member_duties_changed",
        team_id=x["team_id"],
        person_id=x["members"]["finance"],
        duties="财务公开",
    )
    world.registry.send(
        "team.leader_appointed",
        team_id=x["team_id"],
        person_id=x["members"]["welfare"],
        since="2025-01-01",
    )
    world.registry.send(
        "team.member_left",
        team_id=x["team_id"],
        person_id=x["members"]["mediation"],
        until="2025-02-01",
        reason="调动",
    )
    assert world.versions(hid) == [1, 2, 3, 4]
    contacts = world.card(hid)["contacts"]
    assert contacts[0]["person_id"] == x["members"]["welfare"]  # the new leader
    mediation = next(c for c in contacts if c["role"] == "mediation")
    assert mediation["person_id"] == x["unshown"]  # the next member of the group shows now
    assert next(c for c in contacts if c["role"] == "finance")["duties"] == "财务公开"


def test_party_member_phone_change_reissues_only_their_linked_households(world: World):
    x = world.district(4)
    a, b = world.person("党员甲", party=True), world.person("党员乙", party=True)
    world.link(a, x["households"][0])
    world.link(a, x["households"][1])
    world.link(b, x["households"][2])
    world.registry.send("person.phone_changed", person_id=a, phone="13611112222")
    assert world.versions(x["households"][0]) == [1, 2, 3]
    assert world.versions(x["households"][1]) == [1, 2, 3]
    assert world.versions(x["households"][2]) == [1, 2]
    assert world.versions(x["households"][3]) == [1]
    assert world.card(x["households"][0])["contacts"][-1]["phone"] == "13611112222"


def test_unlink_removes_the_party_member_from_the_card(world: World):
    x = world.district(1)
    hid, member = x["households"][0], world.person("党员甲", party=True)
    world.link(member, hid)
    world.registry.send(
        "party_member.household_unlinked",
        zone_id="z",
        party_member_id=member,
        household_id=hid,
        until="2025-02-01",
        reason="",
    )
    assert world.versions(hid) == [1, 2, 3]
    assert world.card(hid)["contacts"][-1]["role"] == "volunteers"
    history = world.app.card_history(SYSTEM, hid)
    assert history[1]["contacts"][-1]["role"] == "party_member"  # old versions are kept


def test_a_batch_sees_its_own_changes(world: World):
    """Inbox batches: a household registered and a phone changed in one transaction."""
    x = world.district(1)
    envs = [
        world.registry.envelope(
            "household.registered",
            {
                "household_id": hid,
                "village_id": x["village_id"],
                "head_id": "h",
                "address": "东王家村第二村民小组",
                "since": "2024-01-01",
                "sample": True,
            },
        )
        for hid in ("3f1c6a7e-0000-5000-8000-0000000000a1", "3f1c6a7e-0000-5000-8000-0000000000a2")
    ]
    envs.append(
        world.registry.envelope(
            "team.member_phone_changed",
            {
                "team_id": x["team_id"],
                "person_id": x["members"]["services"],
                "phone": "13512345678",
            },
        )
    )
    assert world.registry.inbox.process_batch(envs) == ["applied"] * 3
    for hid in (
        "3f1c6a7e-0000-5000-8000-0000000000a1",
        "3f1c6a7e-0000-5000-8000-0000000000a2",
        x["households"][0],
    ):
        phones = {c["person_id"]: c["phone"] for c in world.card(hid)["contacts"]}
        assert phones[x["members"]["services"]] == "13512345678"
    assert world.versions("3f1c6a7e-0000-5000-8000-0000000000a1") == [1, 2]


def test_village_move_reissues_its_households_with_the_new_team(world: World):
    x, y = world.district(2), world.district(1)
    world.move_village(x, y)
    card = world.card(x["households"][0])
    assert card["version"] == 2 and card["community_id"] == y["community_id"]
    assert card["contacts"][0]["person_id"] == y["members"]["mediation"]
    assert world.versions(y["households"][0]) == [1]


def test_distribution_is_recorded_once_for_the_current_version(world: World):
    x = world.district(1)
    hid = x["households"][0]
    member = Actor(person_id=x["members"]["services"], role="team_member")
    distribution = {"household_id": hid, "version": 1, "acknowledged_by": "户主示例"}
    done = world.app.record_card_distribution(
        member, "dist-0001", **distribution, distributed_on="2025-03-01"
    )
    assert done["version"] == 1
    replayed = world.app.record_card_distribution(
        member, "dist-0001", **distribution, distributed_on="2025-03-01"
    )
    assert replayed == done
    card = world.card(hid)
    assert card["distribution"] == {
        "household_id": hid,
        "version": 1,
        "distributed_on": "2025-03-01",
        "delivered_by": member.person_id,
        "acknowledged_by": "户主示例",
    }
    top = world.top()
    with pytest.raises(RuleViolation) as again:
        world.app.record_card_distribution(member, "dist-0002", **distribution)
    assert again.value.code == "rule.card_already_distributed"
    with pytest.raises(RuleViolation) as old:
        world.app.record_card_distribution(
            member, "dist-0003", household_id=hid, version=7, acknowledged_by="户主示例"
        )
    assert old.value.code == "rule.card_version_not_current" and old.value.field == "version"
    with pytest.raises(RuleViolation) as future:
        world.app.record_card_distribution(
            member, "dist-0004", **distribution, distributed_on="2025-03-02"
        )
    assert future.value.code == "rule.date_in_future"
    assert world.top() == top


def test_bad_distribution_input_names_the_field_and_changes_nothing(world: World):
    x = world.district(1)
    hid = x["households"][0]
    top = world.top()
    cases = [
        ({"household_id": "nope", "version": 1, "acknowledged_by": "甲"}, "household_id"),
        ({"household_id": hid, "version": 0, "acknowledged_by": "甲"}, "version"),
        ({"household_id": hid, "version": 1, "acknowledged_by": ""}, "acknowledged_by"),
        (
            {
                "household_id": hid,
                "version": 1,
                "acknowledged_by": "甲",
                "distributed_on": "2025-13-01",
            },
            "distributed_on",
        ),
    ]
    for i, (args, field) in enumerate(cases):
        with pytest.raises(ValidationError) as err:
            world.app.record_card_distribution(STAFF, f"bad-dist-{i:03d}", **args)
        assert err.value.field == field and err.value.message_zh and err.value.message_en
    with pytest.raises(NotFound):
        world.app.record_card_distribution(
            STAFF,
            "bad-dist-404",
            household_id="3f1c6a7e-0000-5000-8000-000000000999",
            version=1,
            acknowledged_by="甲",
        )
    assert world.top() == top


def test_a_team_member_of_another_community_may_not_record_distribution(world: World):
    x, y = world.district(1), world.district(1)
    stranger = Actor(person_id=y["members"]["services"], role="team_member")
    top = world.top()
    with pytest.raises(Forbidden):
        world.app.record_card_distribution(
            stranger,
            "dist-x-0001",
            household_id=x["households"][0],
            version=1,
            acknowledged_by="甲",
        )
    assert world.top() == top


def test_rules_6_phones_and_names_masked_beyond_those_who_need_the_card(world: World):
    """RULES §6: masked for auditors; in full on the household's own card."""
    x = world.district(2)
    hid = x["households"][0]
    full = world.card(hid)["contacts"][1]
    masked = world.card(hid, AUDITOR)["contacts"][1]
    assert masked["phone"] == full["phone"][:3] + "****" + full["phone"][-4:]
    assert masked["name"] == full["name"][0] + "*" * (len(full["name"]) - 1)
    own = Actor(person_id="r-1", role="resident", household_id=hid)
    assert world.card(hid, own)["contacts"][1]["phone"] == full["phone"]
    with pytest.raises(Forbidden):  # another household's card is not theirs to read
        world.card(x["households"][1], own)
    rows = world.app.village_cards(AUDITOR, x["village_id"])
    assert rows[0]["head"] == "户***" and rows[0]["address"] == "东王家村（示例）第一村民小组***"


def test_rules_6_lists_of_households_masked_unless_duty_or_purpose_and_clear_reads_recorded(
    world: World,
):
    """Heads and addresses in lists: masked for staff without a purpose and for auditors; in
    clear for the team (their duty) and for staff with a purpose, and those reads recorded."""
    x = world.district(2)
    vid, top = x["village_id"], world.top()
    for who, purpose in ((STAFF, None), (AUDITOR, "抽查")):
        rows = world.app.village_cards(who, vid, purpose=purpose)
        assert rows[0]["head"] == "户***" and rows[0]["address"].endswith("小组***")
    team = Actor(person_id=x["members"]["services"], role="team_member")
    assert "*" not in world.app.village_cards(team, vid)[0]["head"]
    clear = world.app.village_cards(STAFF, vid, purpose="核对送卡名单")
    assert "*" not in clear[0]["head"] and "*" not in clear[0]["address"]
    assert world.top() == top and world.app.personal_data_reads(AUDITOR) == []
    assert world.app.reads.flush() == 2
    reads = world.app.personal_data_reads(AUDITOR, subject_id=x["households"][0])
    assert [
        (r["reader_id"], r["use_case"], r["target_id"], r["purpose"], r["fields"]) for r in reads
    ] == [
        (team.person_id, "village_cards", vid, "服务队走访、送卡（职责）", ["address", "name"]),
        ("staff-1", "village_cards", vid, "核对送卡名单", ["address", "name"]),
    ]
    assert reads[0]["subject_name"] == "户***"


def test_poison_registry_event_is_dead_lettered_and_the_inbox_goes_on(world: World):
    x = world.district(1)
    assert (
        world.registry.send(
            "household.registered",
            household_id="h-unknown-village",
            village_id="3f1c6a7e-0000-5000-8000-000000000998",
            head_id="p",
            address="无",
            since="2024-01-01",
            sample=True,
        )
        == "dead_lettered"
    )
    assert (
        world.registry.send(
            "team.member_phone_changed",
            team_id=x["team_id"],
            person_id=x["members"]["finance"],
            phone="13522223333",
        )
        == "applied"
    )
    assert world.versions(x["households"][0]) == [1, 2]
    assert len(world.dead.sent) == 1


def test_large_team_change_is_reissued_in_chunks_exactly_once(store: Store):
    """Above ``inline_reissue_limit`` the inbox records the new team section only; the
    re-issuer then issues the cards chunk by chunk, once, and a redelivery adds nothing."""
    world = World(store, OutreachSettings(inline_reissue_limit=2, reissue_chunk=2))
    try:
        x, other = world.district(5), world.district(3)
        shown = x["members"]["finance"]
        env = world.registry.envelope(
            "team.member_phone_changed",
            {"team_id": x["team_id"], "person_id": shown, "phone": "13812345678"},
        )
        assert world.registry.inbox.process(env) == "applied"
        assert all(world.versions(h) == [1] for h in x["households"])  # not yet: pending
        assert [world.app.reissue_pending() for _ in range(4)] == [2, 2, 1, 0]
        assert world.registry.inbox.process(env) == "duplicate"
        assert world.app.reissue_pending() == 0
        for hid in x["households"]:
            assert world.versions(hid) == [1, 2]
            phones = {c["person_id"]: c["phone"] for c in world.card(hid)["contacts"]}
            assert phones[shown] == "13812345678"
        assert all(world.versions(h) == [1] for h in other["households"])
        assert len(world.published("card.issued")) == 5 + 5 + 3
    finally:
        world.close()


def test_large_village_move_is_done_in_chunks_with_the_new_team(store: Store):
    world = World(store, OutreachSettings(inline_reissue_limit=1, reissue_chunk=2))
    try:
        x, y = world.district(3), world.district(1)
        assert world.move_village(x, y) == "applied"
        assert world.card(x["households"][0])["community_id"] == x["community_id"]  # pending
        assert [world.app.reissue_pending() for _ in range(3)] == [2, 1, 0]
        for hid in x["households"]:
            card = world.card(hid)
            assert card["version"] == 2 and card["community_id"] == y["community_id"]
            assert card["contacts"][0]["person_id"] == y["members"]["mediation"]
        assert world.versions(y["households"][0]) == [1]
    finally:
        world.close()


def test_card_views_return_what_the_readme_says(world: World):
    """Issue 16: ``village_cards`` and ``card_history`` state their shape (``card_version``
    in the one, ``version`` in the other), and ``card`` all of its fields."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    docs = readme_sections(readme, "RPC methods")
    x = world.district(1)
    hid = x["households"][0]
    world.app.record_card_distribution(
        STAFF, "dist-readme-1", household_id=hid, version=1, acknowledged_by="户主"
    )
    history = world.app.card_history(SYSTEM, hid)
    rows = world.app.village_cards(SYSTEM, x["village_id"])

    def fields(items: list[dict]) -> set[str]:
        out = {k for item in items for k in item}
        for item in items:
            out |= {k for c in item.get("contacts", []) for k in c}
            out |= set(item.get("distribution") or {})
        return out

    assert returned_fields(docs["card"]) == fields([world.card(hid)])
    assert returned_fields(docs["card_history"]) == fields(history)
    assert returned_fields(docs["village_cards"]) == fields(rows)
    assert "card_version" in rows[0] and "version" not in rows[0]
