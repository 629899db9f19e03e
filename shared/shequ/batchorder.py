"""Batch order: the items of one ``batch`` that touch the same aggregate commit in batch order.

The items of a batch run concurrently so that they share group commits (ADR 0005). Without an
order, items that change the same aggregate race for its next version: each loser re-decides,
and with enough of them some lose every retry and answer ``concurrent_change``; the winners'
order is whatever the scheduler made of it. Instead, each item takes its turn at commit time:

* it names the aggregates it is about to store (``turn``), then waits until every earlier item
  of the batch has named its own (or finished), and until every earlier item that named one of
  the same aggregates has finished;
* an item that decided on a version an earlier item has since changed loses the optimistic
  check once and re-decides on fresh state, which no earlier item of the batch changes again.

Items on different aggregates never wait for each other's commits, only for each other to be
ready to commit, so they still share group commits. Waits only go from a later item to an
earlier one, so they cannot form a cycle. Code that holds a lock across ``execute`` (so that a
later item could hold what an earlier one needs) must first call ``turn`` with the aggregates
it will touch, before taking the lock: then it waits holding nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


class BatchOrder:
    """Turns for the items of one batch, numbered in batch order from 0."""

    def __init__(self, size: int) -> None:
        self._touched: list[set[Any]] = [set() for _ in range(size)]
        self._named = [threading.Event() for _ in range(size)]
        self._finished = [threading.Event() for _ in range(size)]

    def turn(self, index: int, aggregate_ids: Iterable[Any]) -> None:
        """Item ``index`` is about to store ``aggregate_ids``: wait until it may."""
        mine = self._touched[index]
        mine.update(aggregate_ids)
        self._named[index].set()
        for earlier in range(index):
            self._named[earlier].wait()
            if self._touched[earlier] & mine:
                self._finished[earlier].wait()

    def finish(self, index: int) -> None:
        """Item ``index`` has its outcome (stored, refused or failed): later items may go."""
        self._named[index].set()
        self._finished[index].set()


_current: ContextVar[tuple[BatchOrder, int] | None] = ContextVar("shequ_batch_item", default=None)


@contextmanager
def batch_item(order: BatchOrder, index: int) -> Iterator[None]:
    """Run the body as item ``index`` of ``order`` (in the item's own green thread)."""
    token = _current.set((order, index))
    try:
        yield
    finally:
        _current.reset(token)
        order.finish(index)


def turn(aggregate_ids: Iterable[Any]) -> None:
    """Wait for this batch item's turn to store ``aggregate_ids``; outside a batch, return."""
    current = _current.get()
    if current is not None:
        order, index = current
        order.turn(index, aggregate_ids)


def in_batch() -> bool:
    return _current.get() is not None
