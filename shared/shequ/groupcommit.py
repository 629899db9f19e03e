"""Group commit: concurrent commands' events saved in one transaction.

Each waiting command hands its pending events to the committer. Whoever arrives while no flush
is running becomes the flusher and saves one batch: everything queued, its own command first,
up to ``max_batch``. Then it hands the flush to the oldest command still waiting (which saves the
next batch, its own included), or, if none waits, ends it; the others just wait for their batch.
A flusher never saves more than the batch holding its own command: one that flushed "until the
queue is empty" answered its own caller only when no command arrived during a whole flush,
which under steady load from many clients took seconds (the 10 s stalls of issue 17).
If a batch conflicts (two commands changed the same aggregate version), it is retried one
command at a time so only the loser sees the conflict. Either all of one command's events are
stored or none are.
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


class Waiter:
    __slots__ = ("done", "error", "events", "lead", "woken")

    def __init__(self, events: list[Any]) -> None:
        self.events = events
        self.done = threading.Event()  # its events are stored, or ``error`` says why not
        self.woken = threading.Event()  # done, or handed the flush (``lead``)
        self.lead = False
        self.error: BaseException | None = None


class GroupCommitter:
    def __init__(self, store: EventStore[Any], max_batch: int = 200) -> None:
        self.store = store
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[Waiter] = []
        self._flushing = False
        self.batches = 0
        self.commands = 0
        self.listeners: list[Any] = []  # called after each committed batch (wakes the relay)

    def commit(self, events: Sequence[Any]) -> None:
        """Store the events (of one command); returns once they are committed."""
        waiter = Waiter(list(events))
        with self._lock:
            self._queue.append(waiter)
            if not self._flushing:
                self._flushing = waiter.lead = True
        if not waiter.lead:
            try:
                waiter.woken.wait()
            except BaseException:  # killed while waiting: leave the queue, pass a flush on
                self._abandon(waiter)
                raise
        if not waiter.done.is_set():  # handed the flush: the oldest waiting, so in this batch
            self._flush_next()
        if waiter.error is not None:
            raise waiter.error

    def _flush_next(self) -> None:
        """Save one batch from the head of the queue, then pass the flush on (or end it)."""
        with self._lock:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
        try:
            self._flush(batch)
        finally:
            with self._lock:
                self._pass_on()

    def _abandon(self, waiter: Waiter) -> None:
        with self._lock:
            if waiter not in self._queue:
                return  # in a batch being saved: its flusher answers
            self._queue.remove(waiter)
            if waiter.lead:
                self._pass_on()

    def _pass_on(self) -> None:
        """(Holding the lock.) The oldest waiting command flushes next; none: the flush ends."""
        if self._queue:
            self._queue[0].lead = True
            self._queue[0].woken.set()
        else:
            self._flushing = False

    def _flush(self, batch: list[Waiter]) -> None:
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
            w.woken.set()
        for listener in self.listeners:
            listener()

    def _flush_one(self, waiter: Waiter) -> None:
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
