"""Idempotency across the move to typed commands (issue 11): a command recorded from the old
inline dicts (defaults filled in: today's date, the acting member, an empty opinion list, the
round's kind and villages) is still its own repeat; another payload under its key is refused."""

from __future__ import annotations

from typing import Any

import pytest
from outreach_testing import STAFF, World, spring_round
from shequ.actor import Actor
from shequ.errors import Conflict


def never() -> Any:
    raise AssertionError("a repeat must not decide again")


def test_a_command_recorded_before_the_typed_commands_is_still_its_own_repeat(world: World):
    x = world.district(2)
    member = world.person("党员乙", party=True)
    world.link(member, x["households"][0], since="2025-01-10")
    linked = Actor(person_id=member, role="team_member")
    hid, today = x["households"][0], "2025-03-01"
    version = world.card(hid)["version"]  # the link re-issued it
    round_fields = spring_round(x)
    sent: list[tuple[str, Actor, dict[str, Any], dict[str, Any]]] = [
        (
            "record_card_distribution",
            STAFF,
            {"household_id": hid, "version": version, "acknowledged_by": "户主示例"},
            {
                "household_id": hid,
                "version": version,
                "acknowledged_by": "户主示例",
                "distributed_on": today,
            },
        ),
        (
            "log_party_contact",
            linked,
            {"household_id": hid, "contacted_on": "2025-02-08"},
            {
                "household_id": hid,
                "contacted_on": "2025-02-08",
                "practical_task": False,
                "task": "",
                "notes": "",
                "opinions": [],
                "member_id": member,
            },
        ),
        (
            "open_round",
            STAFF,
            round_fields,
            {**round_fields, "kind": "visit", "village_ids": []},
        ),
        (
            "record_opinion",
            STAFF,
            {"household_id": hid, "category": "demand", "text": "自来水压力低"},
            {
                "household_id": hid,
                "category": "demand",
                "text": "自来水压力低",
                "channel": "contact_card",
            },
        ),
    ]
    for name, actor, fields, old in sent:
        key = f"before-{name}"
        first = getattr(world.app, name)(actor, key, **fields)
        assert world.outreach.execute(name, key, actor, old, never) == first, name
        with pytest.raises(Conflict) as refused:
            world.outreach.execute(name, key, actor, {**old, "household_id": "other"}, never)
        assert refused.value.code == "idempotency_key_reused", name
