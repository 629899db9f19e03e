"""Group commit answers each command once its own batch is stored (issue 17).

A flusher that saved "until the queue is empty" answered its own caller only when no command
arrived during a whole flush: under steady load that took seconds (the 10 s stalls).
"""

from __future__ import annotations

from typing import Any

import eventlet
from shequ.groupcommit import GroupCommitter


class _SlowStore:
    """Stores a batch in 10 ms; ``during_put(n)`` runs as the n-th put (from 0) starts."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.puts = 0
        self.during_put: Any = None

    def put(self, events: list[str]) -> None:
        self.puts += 1
        if self.during_put:
            self.during_put(self.puts - 1)
        eventlet.sleep(0.01)
        self.batches.append(list(events))


def test_the_flusher_answers_after_its_own_batch_while_commands_keep_arriving() -> None:
    store = _SlowStore()
    committer = GroupCommitter(store)  # type: ignore[arg-type]
    answered: dict[str, int] = {}
    pool = eventlet.GreenPool()

    def command(name: str) -> None:
        committer.commit([name])
        answered[name] = len(store.batches)  # batches stored when its caller is answered

    # while each of the first 20 batches is stored, another command arrives
    store.during_put = lambda n: n < 20 and pool.spawn(command, f"c{n + 1}")
    command("c0")
    assert answered["c0"] == 1  # answered after its own batch, not after the 20 that followed
    pool.waitall()
    assert len(answered) == 21
    assert all(stored == int(name[1:]) + 1 for name, stored in answered.items())
    assert [e for batch in store.batches for e in batch] == [f"c{i}" for i in range(21)]


def test_a_command_killed_while_waiting_leaves_the_queue_and_the_rest_are_stored() -> None:
    store = _SlowStore()
    committer = GroupCommitter(store)  # type: ignore[arg-type]
    started = eventlet.Event()
    store.during_put = lambda n: n == 0 and started.send()
    first = eventlet.spawn(committer.commit, ["first"])
    started.wait()  # the first batch is being stored
    killed = eventlet.spawn(committer.commit, ["killed"])
    waiting = eventlet.spawn(committer.commit, ["waiting"])
    eventlet.sleep(0)
    killed.kill()
    first.wait()
    with eventlet.Timeout(2):
        waiting.wait()
    assert store.batches == [["first"], ["waiting"]]
    # the flush has ended: the next command becomes flusher at once
    with eventlet.Timeout(2):
        committer.commit(["next"])
    assert store.batches[-1] == ["next"]


def test_a_failed_batch_reaches_each_of_its_callers_and_the_flush_goes_on() -> None:
    store = _SlowStore()
    committer = GroupCommitter(store)  # type: ignore[arg-type]
    started = eventlet.Event()

    def during_put(n: int) -> None:
        if n == 0:
            started.send()
        if n == 1:
            raise RuntimeError("store failed")

    store.during_put = during_put
    first = eventlet.spawn(committer.commit, ["first"])
    started.wait()
    failing = [eventlet.spawn(committer.commit, [f"f{i}"]) for i in range(3)]
    eventlet.sleep(0)
    first.wait()
    for g in failing:
        try:
            g.wait()
        except RuntimeError as exc:
            assert str(exc) == "store failed"
        else:
            raise AssertionError("a command of the failed batch was answered as stored")
    with eventlet.Timeout(2):
        committer.commit(["after"])
    assert store.batches == [["first"], ["after"]]
