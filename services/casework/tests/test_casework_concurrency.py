"""Intake under concurrency: commands decided at the same time (group commit), as a busy service
runs them. Duplicates are flagged however the intakes interleave (their duplicate key makes the
later one decide again), routing spreads a burst as if it had come one after another, and a
registry fact stored before a command is seen by it although the directory is remembered."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import eventlet
from casework.application import Casework
from casework_testing import STAFF, join, key, open_demand, uid, world
from shequ.batchorder import BatchOrder, batch_item


def at_once(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` for i < n in n threads released together; their results in order."""
    results: list[Any] = [None] * n
    errors: list[BaseException] = []
    gate = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            gate.wait()
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    return results


def test_concurrent_intakes_of_one_matter_flag_all_but_the_first(casework: Casework) -> None:
    app, w = casework, world(casework)
    for category in ("water_supply", "relief", "errand"):
        opened = at_once(
            4, lambda i, c=category: open_demand(app, w, category=c, title=f"同一事项{i}")
        )
        first = [o["case_id"] for o in opened if o["duplicate_of"] is None]
        assert len(first) == 1, opened
        assert {o["duplicate_of"] for o in opened if o["duplicate_of"]} == set(first)
    # by place too (no household): the same place and category
    by_place = at_once(
        3,
        lambda i: open_demand(
            app,
            w,
            household_id=None,
            community_id=w["community"],
            category="other",
            place="村口桥",
            title=f"桥{i}",
        ),
    )
    assert sum(o["duplicate_of"] is None for o in by_place) == 1
    # the queue agrees with what the commands answered
    flagged = {
        r["case_id"]: r["duplicate_of"] for r in app.queue(STAFF, community_id=w["community"])
    }
    assert sum(v is None for v in flagged.values()) == 4


def test_a_burst_of_accepts_is_spread_over_the_work_group(casework: Casework) -> None:
    app, w = casework, world(casework)
    for _ in range(3):  # four sanitation members, none with a case yet
        join(w["feed"], w, uid(), "sanitation")
    ids = [
        open_demand(
            app,
            w,
            household_id=None,
            community_id=w["community"],
            category="rubbish",
            title=f"垃圾{i}",
        )["case_id"]
        for i in range(8)
    ]
    owners = at_once(8, lambda i: app.accept_case(STAFF, key(), case_id=ids[i])["owner_id"])
    assert sorted(Counter(owners).values()) == [2, 2, 2, 2]
    # and the next one goes to someone with the fewest, as the read model now shows
    more = open_demand(
        app, w, household_id=None, community_id=w["community"], category="rubbish", title="垃圾9"
    )["case_id"]
    app.accept_case(STAFF, key(), case_id=more)
    load = Counter(
        r["owner_id"]
        for r in app.queue(STAFF, community_id=w["community"], work_group="sanitation")
    )
    assert sorted(load.values()) == [2, 2, 2, 3]


def test_the_remembered_directory_follows_every_registry_fact(casework: Casework) -> None:
    app, w = casework, world(casework)
    open_demand(app, w)  # the directory is read and remembered
    newcomer = uid()
    join(w["feed"], w, newcomer, "welfare")  # stored by the inbox after that
    case_id = open_demand(app, w, household_id=w["h2"], category="relief")["case_id"]
    # the only welfare member so far has no case; the newcomer is routed to next
    first = app.accept_case(STAFF, key(), case_id=case_id)["owner_id"]
    second_id = open_demand(app, w, household_id=w["h2"], category="medical_care")["case_id"]
    second = app.accept_case(STAFF, key(), case_id=second_id)["owner_id"]
    assert {first, second} == {w["wel"], newcomer}
    household = uid()
    w["feed"].send(
        "household.registered",
        {
            "household_id": household,
            "village_id": w["v1"],
            "head_id": uid(),
            "address": "第二组",
            "since": "2024-01-01",
            "sample": True,
        },
    )
    assert open_demand(app, w, household_id=household)["case_id"]


def test_a_burst_of_intakes_of_one_matter_queues_instead_of_failing(casework: Casework) -> None:
    """Twenty intakes of the same matter at once (a batch, another system's sync) all succeed:
    they wait for each other on the matter rather than exhaust the conflict retries, and all
    but the first are flagged as its duplicates."""
    app, w = casework, world(casework)
    opened = at_once(20, lambda i: open_demand(app, w, category="water_supply", title=f"停水{i}"))
    first = [o["case_id"] for o in opened if o["duplicate_of"] is None]
    assert len(first) == 1
    assert all(o["duplicate_of"] == first[0] for o in opened if o["case_id"] != first[0])


def test_a_batch_of_intakes_applies_each_matter_in_batch_order(casework: Casework) -> None:
    """Items of one batch (shequ.batchorder) on a few matters, interleaved: every item is
    stored, none waits forever for a matter lock a later item holds, and the first item of
    each matter in batch order is the one the others are flagged as duplicates of."""
    app, w = casework, world(casework)
    matters = [(c, h) for c in ("water_supply", "relief", "errand") for h in ("h1", "h2")]
    items = [matters[i % len(matters)] for i in range(36)]
    order = BatchOrder(len(items))

    def item(index: int) -> Any:
        category, household = items[index]
        with batch_item(order, index):
            return open_demand(
                app, w, category=category, household_id=w[household], title=f"批量{index}"
            )

    pile = eventlet.GreenPile(64)
    with eventlet.Timeout(60):  # a guard against a deadlock, not a timed assertion
        for index in range(len(items)):
            pile.spawn(item, index)
        opened = list(pile)
    for matter in matters:
        cases = [o for o, m in zip(opened, items, strict=True) if m == matter]
        assert cases[0]["duplicate_of"] is None
        assert all(o["duplicate_of"] == cases[0]["case_id"] for o in cases[1:])
