"""Party-member household contact (党员联户), RULES §5 [local, settings]: no more than one month
between contacts, at least one practical task per household per year; overdue contacts flagged
once and published. Time is a controlled clock."""

from __future__ import annotations

from typing import Any

import pytest
from outreach.settings import OutreachSettings
from outreach_testing import AUDITOR, STAFF, World
from shequ.actor import Actor
from shequ.errors import Forbidden, RuleViolation, ValidationError
from shequ.store import Store


def _linked(world: World) -> tuple[dict, str, Actor]:
    x = world.district(3)
    member = world.person("党员甲", party=True)
    world.link(member, x["households"][0], since="2025-01-10")
    world.link(member, x["households"][1], since="2025-01-10")
    return x, member, Actor(person_id=member, role="team_member")


def _practical_task(world: World, me: Actor, household_id: str, on: str, task: str) -> None:
    """``me`` logs a contact with the household on ``on`` in which ``task`` was done (办实事)."""
    world.app.log_party_contact(
        me,
        "contact-0001",
        household_id=household_id,
        contacted_on=on,
        practical_task=True,
        task=task,
    )


def _status(world: World, x: dict, year: int | None = None) -> dict[str, dict]:
    status = world.app.contact_status(STAFF, x["community_id"], year)
    return {row["household_id"]: row for row in status["links"]}


def test_rules_5_no_more_than_one_month_between_contacts(world: World):
    x, _member, me = _linked(world)
    world.clock.set("2025-02-10")
    status = _status(world, x)
    assert status[x["households"][0]]["due_on"] == "2025-02-10"  # a month after the link
    assert not status[x["households"][0]]["overdue"]
    world.app.log_party_contact(
        me, "contact-0001", household_id=x["households"][0], contacted_on="2025-02-08"
    )
    world.clock.set("2025-02-11")
    status = _status(world, x)
    assert status[x["households"][0]]["due_on"] == "2025-03-08"
    assert not status[x["households"][0]]["overdue"]
    assert status[x["households"][1]]["overdue"]  # never contacted since 2025-01-10
    assert x["households"][2] not in status  # not linked: no duty


def test_rules_5_overdue_contacts_are_flagged_once_and_published(world: World):
    x, _member, me = _linked(world)
    world.clock.set("2025-02-10")
    assert (
        world.app.flag_overdue_contacts(STAFF, "overdue-0001", community_id=x["community_id"])[
            "flagged"
        ]
        == []
    )
    world.clock.set("2025-02-11")
    flagged = world.app.flag_overdue_contacts(
        STAFF, "overdue-0002", community_id=x["community_id"]
    )["flagged"]
    assert sorted(f["household_id"] for f in flagged) == sorted(x["households"][:2])
    again = world.app.flag_overdue_contacts(STAFF, "overdue-0003", community_id=x["community_id"])
    assert again["flagged"] == []  # the same missed deadline is flagged once
    published = world.published("party_contact.overdue")
    assert sorted(p["household_id"] for p in published) == sorted(x["households"][:2])
    assert {(p["due_on"], p["flagged_on"], p["last_contact_on"]) for p in published} == {
        ("2025-02-10", "2025-02-11", None)
    }
    # A late contact resets the clock; the next missed deadline is a new flag.
    world.clock.set("2025-02-12")
    world.app.log_party_contact(
        me, "contact-0002", household_id=x["households"][0], contacted_on="2025-02-12"
    )
    world.clock.set("2025-03-13")
    flagged = world.app.flag_overdue_contacts(
        STAFF, "overdue-0004", community_id=x["community_id"]
    )["flagged"]
    # Household 0 missed its new deadline; household 1 is still in its first, already flagged.
    assert [(f["household_id"], f["due_on"]) for f in flagged] == [
        (x["households"][0], "2025-03-12")
    ]
    listed = world.app.contact_status(AUDITOR, x["community_id"])["flags"]
    assert len(listed) == 3


def test_rules_5_one_practical_task_per_household_per_year(world: World):
    x, member, me = _linked(world)
    world.clock.set("2025-06-01")
    _practical_task(world, me, x["households"][0], "2025-05-01", "帮助申请新农合报销")
    world.app.log_party_contact(
        me, "contact-0002", household_id=x["households"][1], contacted_on="2025-05-02"
    )
    status = _status(world, x, 2025)
    assert status[x["households"][0]]["practical_task_met"]
    assert not status[x["households"][1]]["practical_task_met"]
    assert _status(world, x, 2024)[x["households"][0]]["practical_tasks"] == 0
    [logged, _] = world.published("party_contact.logged")
    assert logged["practical_task"] is True and logged["member_id"] == member


def test_rules_5_the_interval_is_a_setting(store: Store):
    world = World(store, OutreachSettings(contact_interval_months=2, practical_tasks_per_year=2))
    try:
        x, _member, me = _linked(world)
        world.clock.set("2025-03-10")
        status = _status(world, x)
        assert status[x["households"][0]]["due_on"] == "2025-03-10"
        assert not status[x["households"][0]]["overdue"]
        _practical_task(world, me, x["households"][0], "2025-03-01", "修水管")
        assert not _status(world, x)[x["households"][0]]["practical_task_met"]  # needs two
    finally:
        world.close()


def test_contact_rules_linked_member_dates_and_input(world: World):
    """Only the linked member, within the link, not in the future; bad input changes nothing."""
    x, member, me = _linked(world)
    other = Actor(person_id=world.person("党员乙", party=True), role="team_member")
    world.clock.set("2025-02-01")
    top = world.top()

    def refused(
        error: type[Exception], actor: Actor, key: str, on: str = "2025-01-20", **args: Any
    ) -> Any:
        """``log_party_contact`` on ``on`` (the first household unless ``household_id`` is given),
        refused with ``error``, which is returned."""
        args = {"household_id": x["households"][0], **args}
        with pytest.raises(error) as info:
            world.app.log_party_contact(actor, key, contacted_on=on, **args)
        return info.value

    refused(Forbidden, other, "contact-bad-01")  # not linked to them, not on the team: out of scope
    # staff naming the wrong member
    not_linked = refused(
        RuleViolation, STAFF, "contact-bad-02", household_id=x["households"][2], member_id=member
    )
    assert not_linked.code == "rule.household_not_linked_to_member"
    for on, code in (
        ("2025-02-02", "rule.date_in_future"),
        ("2025-01-09", "rule.contact_before_link"),
    ):
        err = refused(RuleViolation, me, f"contact-bad-{on}", on)
        assert err.code == code and err.field == "contacted_on"
    task = refused(ValidationError, me, "contact-bad-03", practical_task=True)
    assert task.field == "task"
    flag = refused(ValidationError, me, "contact-bad-04", practical_task="yes")
    assert flag.field == "practical_task"
    assert world.top() == top


def test_opinions_on_a_contact_are_published_with_that_channel(world: World):
    x, _member, me = _linked(world)
    world.clock.set("2025-02-01")
    done = world.app.log_party_contact(
        me,
        "contact-0001",
        household_id=x["households"][0],
        contacted_on="2025-01-20",
        opinions=[{"category": "opinion", "text": "希望多开会"}],
    )
    [opinion] = world.published("opinion.collected")
    assert opinion["channel"] == "party_contact" and opinion["source_id"] == done["contact_id"]


def test_rules_5_the_daily_sweep_flags_every_community_once_a_day(world: World):
    _linked(world)
    y = world.district(1)
    other = world.person("党员乙", party=True)
    world.link(other, y["households"][0], since="2025-01-05")
    world.clock.set("2025-02-20")
    assert world.app.sweep_overdue() == 3
    top = world.top()
    assert world.app.sweep_overdue() == 3  # the same day: the first answer, nothing written
    assert world.top() == top
    world.clock.set("2025-02-21")
    assert world.app.sweep_overdue() == 0  # the same deadlines are not flagged again
    assert len(world.published("party_contact.overdue")) == 3
