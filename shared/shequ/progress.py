"""Progress bars for the long commands of operators and auditors (``shequ audit verify``,
``shequ audit export``, ``shequ report``), on standard error and only when it is a terminal:
a pipe, a file or a CI log gets no bar, so outputs stay byte-identical.

The command opens a bar for its run (``shown``); the code that reads the log advances it
(``advance``), wherever it is called from, through a context variable: a read outside a
command's bar (a service, a test) costs a lookup. ``EventRows`` starts it on each pass over a
log, with the table's row count as the total, and advances it by every batch it hands out.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_bar: ContextVar[Any] = ContextVar("shequ_progress_bar", default=None)


@contextmanager
def shown(what: str, *, stream: Any = None) -> Iterator[None]:
    """A bar titled ``what`` while the block runs, if ``stream`` (standard error) is a
    terminal; nothing otherwise."""
    out = stream if stream is not None else sys.stderr
    if not (hasattr(out, "isatty") and out.isatty()):
        yield
        return
    from tqdm import tqdm  # only for a terminal: services and pipes never load it

    bar = tqdm(desc=what, total=None, unit="事件", file=out, leave=True)
    token = _bar.set(bar)
    try:
        yield
    finally:
        _bar.reset(token)
        bar.close()


def begin(total: Callable[[], int]) -> None:
    """A pass over ``total()`` events starts (asked only when a bar is shown)."""
    bar = _bar.get()
    if bar is not None:
        bar.reset(total=total())


def advance(n: int) -> None:
    """``n`` more events done."""
    bar = _bar.get()
    if bar is not None:
        bar.update(n)
