"""Quiet logs for the first start: bursts summed into one line, known noise filtered.

``Summary`` turns a burst of repeated events (a first start re-issues a card for every
household, one log call per registry event) into one INFO line per interval with the total
and the count per reason; each event is still logged at DEBUG.

``quiet_amqp_close_noise`` drops exactly one warning of the ``amqp`` library: "Received method
(60, 80) during closing channel", the broker's publisher confirm (Basic.Ack) of a mandatory
RPC request it had just returned as unroutable (the called service is not up yet). The
publisher has already raised UnknownService for it; the late ack carries nothing more.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

BASIC_ACK = (60, 80)


class Summary:
    """Sum ``add(n, reason)`` calls and log one INFO line per ``interval`` seconds."""

    def __init__(self, log: logging.Logger, what: str, interval: float = 10.0) -> None:
        self.log = log
        self.what = what
        self.interval = interval
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, n: int, reason: str) -> None:
        self.log.debug("%d %s (%s)", n, self.what, reason)
        with self._lock:
            self._counts[reason] += n
            if self._timer is None:
                self._timer = threading.Timer(self.interval, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._timer = None
        if counts:
            reasons = ", ".join(f"{reason} {n}" for reason, n in counts.most_common())
            self.log.info(
                "%d %s in the last %.0fs (%s; each at DEBUG)",
                sum(counts.values()),
                self.what,
                self.interval,
                reasons,
            )


class _AmqpCloseNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        return not (
            isinstance(args, tuple)
            and args
            and args[0] == BASIC_ACK
            and str(record.msg).startswith("Received method %s during closing")
        )


def quiet_amqp_close_noise() -> None:
    """Install the filter on the ``amqp`` logger (idempotent)."""
    logger = logging.getLogger("amqp")
    if not any(isinstance(f, _AmqpCloseNoise) for f in logger.filters):
        logger.addFilter(_AmqpCloseNoise())
