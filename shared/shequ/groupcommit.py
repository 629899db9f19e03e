"""Group commit: concurrent commands' events saved in one transaction.

Each waiting command hands its pending events to the committer. Whoever arrives while no flush
is running becomes the flusher and saves everything queued, batch after batch, until the queue
is empty; the others just wait for their batch. If a batch conflicts (two commands changed the
same aggregate version), it is retried one command at a time so only the loser sees the
conflict. Either all of one command's events are stored or none are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from eventsourcing.persistence import EventStore, IntegrityError

from shequ import batchorder
from shequ.errors import ValidationError

# Size refusals of the store (shequ.app): a merged transaction that gets one is retried in parts.
TOO_LARGE = ("transaction_too_large", "event_too_large")


class _Waiter:
    __slots__ = ("done", "error", "events")

    def __init__(self, events: list[Any]) -> None:
        self.events = events
        self.done = threading.Event()
        self.error: BaseException | None = None


class GroupCommitter:
    def __init__(self, store: EventStore[Any], max_batch: int = 200) -> None:
        self.store = store
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Waiter] = []
        self._flushing = False
        self.batches = 0
        self.commands = 0
        self.listeners: list[Any] = []  # called after each committed batch (wakes the relay)

    def commit(self, aggregates: Sequence[Any]) -> None:
        """Store the aggregates' pending events; returns once they are committed."""
        events = [e for agg in aggregates for e in agg.collect_events()]
        waiter = _Waiter(events)
        with self._lock:
            self._queue.append(waiter)
            lead = not self._flushing
            self._flushing = self._flushing or lead
        if lead:
            self._flush_all()
        waiter.done.wait()
        if waiter.error is not None:
            raise waiter.error

    def _flush_all(self) -> None:
        while True:
            with self._lock:
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                if not batch:
                    self._flushing = False
                    return
            self._flush(batch)

    def _flush(self, batch: list[_Waiter]) -> None:
        try:
            self.store.put([e for w in batch for e in w.events])
            self.batches += 1
            self.commands += len(batch)
        except IntegrityError:
            if len(batch) == 1:
                batch[0].error = IntegrityError("conflicting version")
            else:
                for w in batch:  # isolate the conflicting command(s)
                    self._flush_one(w)
        except ValidationError as exc:
            if exc.code in TOO_LARGE and len(batch) > 1:
                for w in batch:  # too large together, or one is: one at a time
                    self._flush_one(w)
            else:
                for w in batch:
                    w.error = exc
        except BaseException as exc:  # noqa: BLE001 - every waiter must be told
            for w in batch:
                w.error = exc
        for w in batch:
            w.done.set()
        for listener in self.listeners:
            listener()

    def _flush_one(self, waiter: _Waiter) -> None:
        try:
            self.store.put(waiter.events)
        except BaseException as exc:  # noqa: BLE001
            waiter.error = exc


class LoserQueue:
    """Where the commands that lost a race in this process re-decide one after another.

    A loser re-decides holding the locks of the aggregates it tried to store (64 stripes by
    aggregate id, taken in one order, so two losers cannot wait for each other), so a burst of
    commands on one aggregate (thirty RPC workers adding members to one team) is stored one
    by one instead of racing until some run out of retries. Items of a ``batch`` do not queue
    here: ``shequ.batchorder`` already orders them, and a lock held across their turn could
    wait for an earlier item that waits for the lock.
    """

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    @contextmanager
    def queue(self, aggregate_ids: Iterable[Any]) -> Iterator[None]:
        if batchorder.in_batch():
            yield
            return
        with ExitStack() as held:
            for stripe in sorted({a.int % len(self._locks) for a in aggregate_ids}):
                held.enter_context(self._locks[stripe])
            yield
