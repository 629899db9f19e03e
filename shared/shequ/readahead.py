"""Reading ahead on a thread of its own: the next batches of a slow source (a database
cursor) are fetched while the caller works on the current one.

The verifier and the report's prefix hash each batch of rows in Python while the database
(PostgreSQL's server, SQLite's C library) produces the next: both release the GIL while they
wait or step, so on two cores the read and the hashing overlap instead of adding up.

The source runs entirely on the reading thread (a cursor and its transaction are opened,
used and closed there); the caller's thread only takes finished items. Stopping early (the
consumer breaks off, or raises) stops the reader at its next item and closes the source.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


def read_ahead(source: Iterator[T], depth: int = 2) -> Iterator[T]:
    """The items of ``source`` in order, at most ``depth`` of them fetched ahead."""
    ready: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
    stopping = threading.Event()

    def hand_over(item: object, error: BaseException | None = None) -> bool:
        while not stopping.is_set():
            try:
                ready.put((item, error), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for item in source:
                if not hand_over(item):
                    return
            hand_over(_END)
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            hand_over(_END, exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()  # a generator's cursor and transaction end on the thread that opened them

    reader = threading.Thread(target=read, name="read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item, error = ready.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item  # type: ignore[misc]
    finally:
        stopping.set()
        reader.join()
