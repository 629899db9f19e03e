"""Reading ahead on a thread: order kept, errors raised on the caller's side, the source
closed on its own thread when the caller stops early."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from shequ.readahead import read_ahead


def test_items_arrive_in_order_and_the_source_runs_on_another_thread() -> None:
    seen: list[str] = []

    def source() -> Iterator[int]:
        seen.append(threading.current_thread().name)
        yield from range(1000)

    assert list(read_ahead(source(), depth=3)) == list(range(1000))
    assert seen == ["read-ahead"]


def test_an_error_in_the_source_reaches_the_caller_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("cursor broke")

    reader = read_ahead(source())
    assert [next(reader), next(reader)] == [1, 2]
    with pytest.raises(ValueError, match="cursor broke"):
        next(reader)


def test_stopping_early_closes_the_source_on_its_own_thread() -> None:
    closed_on: list[str] = []
    produced: list[int] = []

    def source() -> Iterator[int]:
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed_on.append(threading.current_thread().name)

    reader = read_ahead(source(), depth=2)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()
    assert closed_on == ["read-ahead"]
    assert len(produced) < 10  # it stopped reading, not ran to the end
    assert not any(t.name == "read-ahead" for t in threading.enumerate())
