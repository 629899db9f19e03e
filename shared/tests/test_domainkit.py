"""The domain kit: a command checked then recorded, lookup-or-refuse, the end-date check, ids
declared by their natural key."""

from __future__ import annotations

import pytest
from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, Ids, check_end, checks, found, violation
from shequ.errors import RuleViolation

ACTOR: ActorDict = {"id": "staff", "role": "district_staff"}
NO_ENTRY = ("unknown_entry", "没有该条目", "no such entry")


class Book(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    @event("EntryRecorded")
    def entry_recorded(self, entry_id: str, title: str, actor: ActorDict) -> None:
        self.entries[entry_id] = title

    @checks(entry_recorded)
    def record_entry(self, entry_id: str) -> None:
        """File an entry once."""
        if entry_id in self.entries:
            raise violation("entry_exists", "条目已存在", "the entry exists", "entry_id")


def test_a_checked_command_refuses_before_it_records_and_its_check_never_replays() -> None:
    book = Book()
    book.record_entry("e1", "第一条", ACTOR)
    book.record_entry(entry_id="e2", title="第二条", actor=ACTOR)
    with pytest.raises(RuleViolation) as refused:
        book.record_entry("e1", "again", actor=ACTOR)
    assert refused.value.code == "rule.entry_exists"
    events = book.collect_events()
    assert [type(e).__name__ for e in events] == ["Opened", "EntryRecorded", "EntryRecorded"]
    assert vars(events[1])["entry_id"] == "e1" and vars(events[1])["actor"] == ACTOR
    # a log the check would refuse today (the same entry twice) still replays: it never runs
    logged = Book()
    logged.entry_recorded("e1", "第一条", ACTOR)
    logged.entry_recorded("e1", "更正", ACTOR)
    replayed = None
    for e in logged.collect_events():
        replayed = e.mutate(replayed)
    assert replayed is not None and replayed.entries == {"e1": "更正"}
    assert Book.record_entry.__doc__ == "File an entry once."


def test_found_gives_the_record_or_the_refusal_naming_the_field() -> None:
    assert found({"a": 1}, "a", "key", NO_ENTRY) == 1
    with pytest.raises(RuleViolation) as refused:
        found({}, "b", "entry_id", NO_ENTRY)
    assert (refused.value.code, refused.value.field) == ("rule.unknown_entry", "entry_id")


def test_an_end_before_its_start_is_refused_in_the_rule_given() -> None:
    check_end("2025-01-01", "2025-01-01")
    with pytest.raises(RuleViolation) as refused:
        check_end("2025-02-01", "2025-01-01", "period_end", ("late", "{end}<{start}"))
    assert refused.value.code == "rule.late" and refused.value.field == "period_end"
    assert refused.value.message_en == "2025-01-01<2025-02-01"


IDS = Ids("kit")


class Plot(Aggregate):
    """An aggregate whose id is its natural key: the village and the year."""

    create_id = IDS.keyed_by("plot", "village_id", "year")

    @event("Allotted")
    def __init__(self, village_id: str, year: int, holder: str, actor: ActorDict) -> None:
        self.holder = holder


def test_an_id_declared_by_its_natural_key_is_the_natural_id_of_those_fields() -> None:
    expected = IDS.natural_id("plot", "v-1", "2026")
    assert Plot.create_id("v-1", 2026) == Plot.create_id(year=2026, village_id="v-1") == expected
    # eventsourcing picks the key's fields from the first event's arguments by their names
    assert Plot(village_id="v-1", year=2026, holder="王", actor=ACTOR).id == expected
    assert Plot("v-1", 2026, "王", ACTOR).id == expected
    assert IDS.natural_id("plot", "v-1", "2027") != expected
    with pytest.raises(TypeError):
        Plot.create_id("v-1")  # the whole key, or no id
