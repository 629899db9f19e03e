"""The villagers' committees (村民委员会): posts by election within a five-year term, ended on a
day, read as of a day; on SQLite and PostgreSQL (fixture ``store``)."""

from __future__ import annotations

from typing import Any

import pytest
from registry.application import Registry
from registry.contracts import translate
from registry.domain.committee import term_end
from registry_testing import new_person
from shequ.actor import SYSTEM, Actor
from shequ.errors import Forbidden, NotFound
from shequ.testing import refused
from test_application import small_world

STAFF = Actor("staff-1", "district_staff")
AUDITOR = Actor("auditor-1", "auditor")


def elect(app: Registry, village: str, person: str, post: str, **more: Any) -> dict[str, Any]:
    since = more.setdefault("since", "2024-01-15")
    return app.elect_committee_member(
        STAFF,
        f"key:committee:{village}:{person}:{post}:{since}",
        village_id=village,
        person_id=person,
        post=post,
        **more,
    )


def test_term_end_is_five_years_on_the_same_day() -> None:
    assert term_end("2021-01-15") == "2026-01-15"
    assert term_end("2024-02-29") == "2029-02-28"


class TestVillagersCommittee:
    def test_a_committee_elected_read_as_of_a_day_and_ended(self, registry: Registry) -> None:
        app, w = registry, small_world(registry)
        v1, chair = w["v1"], w["v1_sec"]  # the branch secretary also chairs (一肩挑)
        vice, member = new_person(app, v1), new_person(app, v1, male=False)
        made = elect(app, v1, chair, "chair")
        assert made["term_ends"] == "2029-01-15"
        elect(app, v1, vice, "vice_chair")
        elect(app, v1, member, "member", term_ends="2029-01-15")
        # the same command again (same key) is answered from its record, nothing new stored
        last = app.recorder.max_notification_id()
        assert elect(app, v1, chair, "chair") == made
        assert app.recorder.max_notification_id() == last

        before = app.villagers_committee(STAFF, v1, on="2024-01-14")
        assert before == {"village_id": v1, "on": "2024-01-14", "posts": []}
        held = app.villagers_committee(STAFF, v1, on="2024-06-01")["posts"]
        assert [(p["post"], p["person_id"], p["post_zh"]) for p in held] == [
            ("chair", chair, "主任"),
            ("vice_chair", vice, "副主任"),
            ("member", member, "委员"),
        ]
        assert held[0]["name"] == "书记示1" and held[0]["term_over"] is False
        # auditors read the names masked (RULES §6), the posts alike
        audited = app.villagers_committee(AUDITOR, v1, on="2024-06-01")["posts"]
        assert audited[0]["name"] == "书***" and len(audited) == 3

        app.end_committee_post(
            STAFF,
            "key:committee:end:vice",
            village_id=v1,
            appointment_id=held[1]["appointment_id"],
            until="2025-03-01",
            reason="辞职",
        )
        on_the_day = app.villagers_committee(STAFF, v1, on="2025-03-01")["posts"]
        assert [p["person_id"] for p in on_the_day] == [chair, member]
        assert len(app.villagers_committee(STAFF, v1, on="2025-02-28")["posts"]) == 3
        # past the term's expected end the posts still hold until a new election is recorded
        late = app.villagers_committee(STAFF, v1, on="2029-06-01")["posts"]
        assert [p["term_over"] for p in late] == [True, True]

    def test_the_rules_refuse_and_store_nothing(self, registry: Registry) -> None:
        app, w = registry, small_world(registry)
        v1, v2 = w["v1"], w["v2"]
        elect(app, v1, w["v1_sec"], "chair")
        other = new_person(app, v1)
        last = app.recorder.max_notification_id()
        second_chair = refused(elect, app, v1, other, "chair")
        assert (second_chair.code, second_chair.field) == ("rule.post_already_filled", "post")
        assert "主任" in second_chair.message_zh and "chair" in second_chair.message_en
        twice = refused(elect, app, v1, w["v1_sec"], "member")
        assert twice.code == "rule.person_already_holds_post"
        outsider = refused(elect, app, v1, w["v2_sec"], "member")
        assert (outsider.code, outsider.field) == ("rule.not_a_villager", "person_id")
        too_long = refused(elect, app, v1, other, "member", term_ends="2029-01-16")
        assert (too_long.code, too_long.field) == ("rule.term_too_long", "term_ends")
        backwards = refused(elect, app, v1, other, "member", term_ends="2024-01-01")
        assert (backwards.code, backwards.field) == ("rule.end_before_start", "term_ends")
        assert app.recorder.max_notification_id() == last
        for _ in range(6):  # three to seven members (Art. 6): the eighth is refused
            elect(app, v1, new_person(app, v1), "member")
        full = refused(elect, app, v1, new_person(app, v1), "member")
        assert full.code == "rule.committee_full"
        # a village with no committee yet has no post to end
        with pytest.raises(NotFound) as missing:
            app.end_committee_post(
                STAFF,
                "key:committee:end:none",
                village_id=v2,
                appointment_id=w["v1_branch"],
                until="2025-01-01",
            )
        assert missing.value.field == "village_id"

    def test_community_staff_record_their_own_villages_only(self, registry: Registry) -> None:
        app, w = registry, small_world(registry)
        lizhu = Actor("staff-lizhu", "community_staff", community_id=w["Lizhu"])
        app.elect_committee_member(
            lizhu, "key:c:v1", village_id=w["v1"], person_id=w["v1_sec"], post="chair"
        )
        with pytest.raises(Forbidden) as scoped:
            app.elect_committee_member(
                lizhu, "key:c:v3", village_id=w["v3"], person_id=w["v3_sec"], post="chair"
            )
        assert scoped.value.code == "out_of_scope"

    def test_its_events_fit_their_contracts(self, registry: Registry) -> None:
        app, w = registry, small_world(registry)
        made = elect(app, w["v1"], w["v1_sec"], "chair")
        app.end_committee_post(
            SYSTEM,
            "key:committee:end:chair",
            village_id=w["v1"],
            appointment_id=made["appointment_id"],
            until="2026-01-01",
            reason="届满",
        )
        published = {}
        for note in app.recorder.select_notifications(0, 100000):
            out = translate(app.mapper.to_domain_event(note))
            if out and out[0].name.startswith("registry.committee."):
                out[0].validate(out[1])
                published[out[0].name] = out[1]
        taken = published["registry.committee.post_taken"]
        assert taken["village_id"] == w["v1"] and taken["post"] == "chair"
        assert taken["term_ends"] == "2029-01-15"
        ended = published["registry.committee.post_ended"]
        assert ended == {
            "committee_id": taken["committee_id"],
            "village_id": w["v1"],
            "appointment_id": made["appointment_id"],
            "until": "2026-01-01",
            "reason": "届满",
        }
        assert set(published) == {
            f"registry.committee.{n}" for n in ("established", "post_taken", "post_ended")
        }
