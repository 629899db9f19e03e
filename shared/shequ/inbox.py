"""Inbox: one ordered consumer per upstream service, exactly-once in effect.

* Tracking (upstream, position) is recorded in the same transaction as the effect's events.
* Duplicates (position <= last recorded) are skipped.
* A gap (the message's ``prev`` is past what we recorded) is repaired by pulling the upstream's
  notification log over RPC; an idle consumer also polls it, so a lost tail is healed too.
* Nothing is trusted before it is checked: a message that is not a well-formed envelope of
  this upstream, or (with a ``verifier``) not signed by the upstream as it is (ADR 0013), is
  *rejected*: kept as a dead letter with the reason and never allowed to move tracking.
* A genuine message whose handler fails ``max_failures`` times goes to the dead letters with
  its error, in the same transaction as the tracking record that skips it, and the consumer
  goes on. Infrastructure errors (database or broker down, the upstream's key not there yet)
  are not the message's fault: they are retried until they clear.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.persistence import IntegrityError as StoreIntegrityError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from eventsourcing.persistence import Tracking

from shequ.app import ServiceApplication
from shequ.contracts import Contract
from shequ.deadletters import DeadLetter, DeadLetters, error_of, raw_of, rejected, replayable_id
from shequ.errors import ShequError, Unavailable, ValidationError
from shequ.groupcommit import TOO_LARGE
from shequ.outage import OUTAGES
from shequ.provenance import UpstreamKeyMissing, Verifier

log = logging.getLogger(__name__)


class Unit:
    """What one inbox transaction has touched so far: a handler loads aggregates through it,
    so a later envelope in the same batch sees the changes an earlier one made."""

    def __init__(self, app: ServiceApplication) -> None:
        self.app = app
        self.touched: dict[Any, Any] = {}

    def get(self, aggregate_id: Any) -> Any | None:
        """The aggregate as this batch has left it, or None if it does not exist."""
        if aggregate_id in self.touched:
            return self.touched[aggregate_id]
        try:
            return self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def add(self, aggregates: Iterable[Any]) -> None:
        for agg in aggregates:
            self.touched[agg.id] = agg

    def aggregates(self) -> list[Any]:
        return list(self.touched.values())


Handler = Callable[[dict[str, Any], Unit], Iterable[Any]]
Puller = Callable[[int, int], list[dict[str, Any]]]
# The store or an upstream out of reach is no fault of the message: retried, never dead-lettered.
TRANSIENT: tuple[type[BaseException], ...] = (
    StoreOperationalError,
    ConnectionError,
    socket.error,
    TimeoutError,
    UpstreamKeyMissing,
    Unavailable,
    *OUTAGES,
)
ENVELOPE_KEYS = ("contract", "version", "service", "position", "prev", "data")


class GapNotRepaired(ConnectionError):
    """The upstream could not supply the missing notifications yet."""


class UpstreamNotUp(GapNotRepaired):
    """The upstream service is not running (yet): nothing to pull until it starts."""


@dataclass
class Undecodable:
    """A delivered message that is not a JSON object within the inbox's bounds."""

    body: bytes
    content_type: str | None
    error: dict[str, Any]


def _no_counts() -> dict[str, int]:
    return {"applied": 0, "duplicate": 0, "repaired": 0, "dead_lettered": 0}


@dataclass(eq=False)
class Inbox:
    consumer: str
    upstream: str
    app: ServiceApplication
    handle: Handler
    pull: Puller
    dead_letters: DeadLetters
    max_failures: int = 5
    interests: dict[str, Contract] | None = None
    verifier: Verifier | None = None
    counts: dict[str, int] = field(init=False, default_factory=_no_counts)
    # the counts as of the last counts_since_reported()
    _reported: dict[str, int] = field(init=False, default_factory=_no_counts)
    upstream_head: int = field(init=False, default=0)  # highest upstream position seen (lag)
    # This inbox is the only writer of its tracking records (one active consumer), so the
    # position is read once and then kept in step with each commit.
    _last: int | None = field(init=False, default=None)

    def counts_since_reported(self) -> dict[str, int]:
        """How much each count grew since the last call (the metrics exporter adds these to
        its counters); counts that did not grow are left out."""
        now = dict(self.counts)
        grown = {how: n - self._reported.get(how, 0) for how, n in now.items()}
        self._reported = now
        return {how: delta for how, delta in grown.items() if delta}

    @property
    def tracking_name(self) -> str:
        return f"{self.upstream}"

    def last(self) -> int:
        if self._last is None:
            self._last = self.app.recorder.max_tracking_id(self.tracking_name) or 0
        return self._last

    def forget(self) -> None:
        """Re-read the position from the store next time (after an error or a restart)."""
        self._last = None

    def _record(self, aggregates: Iterable[Any], tracking: Tracking) -> None:
        processing: ProcessingEvent[Any] = ProcessingEvent(tracking)
        processing.collect_events(*aggregates)
        try:
            self.app.save_processed(processing)
        except BaseException:
            self.forget()
            raise
        self._last = tracking.notification_id

    def process(self, envelope: dict[str, Any]) -> str:
        """Handle one delivered envelope; returns what happened to it."""
        problem = self.untrusted(envelope)
        if problem:
            return self.reject(envelope, problem)
        position, prev = envelope["position"], envelope["prev"]
        self.upstream_head = max(self.upstream_head, position)
        last = self.last()
        if position <= last:
            self.counts["duplicate"] += 1
            return "duplicate"
        if prev is not None and prev > last:
            self.repair(until=position)
            if position <= self.last():
                self.counts["duplicate"] += 1
                return "duplicate"
        return self.apply(envelope)

    def process_batch(self, envelopes: list[dict[str, Any]]) -> list[str]:
        """Apply consecutive envelopes in one transaction (one tracking record, the last
        position). Anything unusual — a gap, a malformed or uninteresting-but-invalid envelope,
        a handler failure — falls back to handling the envelopes one at a time."""
        if len(envelopes) == 1:
            return [self.process(envelopes[0])]
        unit, outcomes = Unit(self.app), []
        last = self.last()
        pending = last
        for env in envelopes:
            kind = self._screen(env, pending)
            if kind == "duplicate":
                outcomes.append("duplicate")
                continue
            if kind not in {"plain", "ignored"}:
                return self._one_by_one(unit, pending, last, envelopes, outcomes)
            if kind == "plain":
                try:
                    unit.add(self.handle(env, unit))
                except TRANSIENT:
                    raise
                except Exception:  # noqa: BLE001 - retried alone, with its own attempts
                    return [self.process(e) for e in envelopes]
            pending = env["position"]
            self.upstream_head = max(self.upstream_head, pending)
            outcomes.append("applied" if kind == "plain" else "ignored")
        if pending > last:
            try:
                self._record(
                    unit.aggregates(),
                    Tracking(application_name=self.tracking_name, notification_id=pending),
                )
            except StoreIntegrityError:
                # a concurrent command changed an aggregate the batch changed too: each
                # envelope again on its own, re-handled on fresh state (and retried)
                return [self.process(e) for e in envelopes]
            except ValidationError as exc:
                if exc.code not in TOO_LARGE:
                    raise
                return [self.process(e) for e in envelopes]  # together too large: singly
        self.counts["applied"] += outcomes.count("applied")
        self.counts["duplicate"] += outcomes.count("duplicate")
        return outcomes

    def _one_by_one(
        self,
        unit: Unit,
        pending: int,
        last: int,
        envelopes: list[dict[str, Any]],
        outcomes: list[str],
    ) -> list[str]:
        if pending > last:  # keep what the batch has done so far, then go on singly
            self._record(
                unit.aggregates(),
                Tracking(application_name=self.tracking_name, notification_id=pending),
            )
            self.counts["applied"] += outcomes.count("applied")
        self.counts["duplicate"] += outcomes.count("duplicate")
        return outcomes + [self.process(e) for e in envelopes[len(outcomes) :]]

    def _screen(self, env: Any, last: int) -> str:
        """plain | ignored | duplicate | special (needs the one-at-a-time path)."""
        if self.untrusted(env):
            return "special"
        if env["position"] <= last:
            return "duplicate"
        if env["prev"] is not None and env["prev"] > last:
            return "special"  # a gap: repaired on the single path
        try:
            return "plain" if self.reads(env) else "ignored"
        except ShequError:
            return "special"

    def reads(self, envelope: dict[str, Any]) -> bool:
        """Whether this consumer reads ``envelope``'s contract (False: ignored). One it reads
        must fit the consumer's copy of the contract, else a ShequError says why."""
        if self.interests is None:
            return True
        contract = self.interests.get(envelope["contract"])
        if contract is None:
            return False
        if envelope["version"] != contract.version:
            raise ShequError(
                "不支持的集成事件版本",
                f"unsupported version {envelope['version']} of {contract.name}",
                "version",
                code="unsupported_version",
            )
        contract.validate(envelope["data"])
        return True

    def repair(self, until: int | None = None) -> int:
        """Pull and apply what the upstream published after our last position."""
        applied = 0
        while True:
            last = self.last()
            batch = self.pull(last, 500)
            if not batch:
                if until is not None and last < until and applied == 0:
                    raise GapNotRepaired(f"{self.upstream} returned nothing after {last}")
                return applied
            for env in batch:
                problem = self.untrusted(env)
                if problem:  # never applied; the upstream (or what answered) is asked again
                    raise GapNotRepaired(
                        f"{self.upstream} served an envelope that does not "
                        f"check: {problem['message_en']}"
                    )
                if until is not None and env["position"] >= until:
                    return applied
                if env["position"] > self.last():
                    self.apply(env)
                    applied += 1
                    self.counts["repaired"] += 1
                    self.upstream_head = max(self.upstream_head, env["position"])
            if len(batch) < 500:
                return applied

    def apply(self, envelope: dict[str, Any]) -> str:
        tracking = Tracking(
            application_name=self.tracking_name, notification_id=envelope["position"]
        )
        try:
            if not self.reads(envelope):
                self._record([], tracking)
                return "ignored"
        except ShequError as exc:
            return self._dead_letter(envelope, exc, 1, tracking)
        failures = 0
        while True:
            try:
                unit = Unit(self.app)
                unit.add(self.handle(envelope, unit))
                self._record(unit.aggregates(), tracking)
                self.counts["applied"] += 1
                return "applied"
            except TRANSIENT:
                raise
            except Exception as exc:  # noqa: BLE001 - a poison message must not stop the inbox
                failures += 1
                if failures >= self.max_failures:
                    return self._dead_letter(envelope, exc, failures, tracking)
                time.sleep(min(0.05 * 2**failures, 1.0))

    def untrusted(self, envelope: Any) -> dict[str, Any] | None:
        """Why ``envelope`` cannot be trusted, or None. Raises UpstreamKeyMissing (transient)
        while the upstream's public key is not there to check it with."""
        if isinstance(envelope, Undecodable):
            return envelope.error
        problem = _malformed(envelope, self.upstream)
        if problem is None and self.verifier is not None:
            problem = self.verifier.problem(envelope, self.upstream)
        return problem

    def reject(self, message: Any, error: dict[str, Any]) -> str:
        """Keep a message that is not a genuine envelope as a dead letter; tracking stays."""
        if isinstance(message, Undecodable):
            letter = rejected(
                self.consumer, self.upstream, message.body, message.content_type, error
            )
        else:
            letter = rejected(
                self.consumer, self.upstream, raw_of(message), "application/json", error
            )
        self.dead_letters.send(
            self.consumer, self.upstream, letter.raw, error, attempts=1, letter_id=letter.letter_id
        )
        # the same bytes were rejected before: one letter
        with contextlib.suppress(StoreIntegrityError):
            self.app.events.put(letter.collect_events())
        self.counts["dead_lettered"] += 1
        log.error(
            "%s inbox from %s: rejected a message (%s): %s",
            self.consumer,
            self.upstream,
            letter.letter_id,
            error.get("message_en"),
        )
        return "dead_lettered"

    def _dead_letter(
        self, envelope: dict[str, Any], exc: Exception, attempts: int, tracking: Tracking
    ) -> str:
        error = error_of(exc)
        letter_id = replayable_id(self.consumer, self.upstream, envelope["position"])
        self.dead_letters.send(
            self.consumer, self.upstream, envelope, error, attempts, letter_id=letter_id
        )
        letter = DeadLetter(
            letter_id=letter_id,
            consumer=self.consumer,
            upstream=self.upstream,
            position=envelope["position"],
            envelope=envelope,
            raw=None,
            error=error,
            attempts=attempts,
        )
        self._record([letter], tracking)  # atomic with the skip
        self.counts["dead_lettered"] += 1
        log.error(
            "%s inbox from %s: dead-lettered position %s after %d attempts: %s",
            self.consumer,
            self.upstream,
            envelope["position"],
            attempts,
            error,
        )
        return "dead_lettered"


def _malformed(envelope: Any, upstream: str) -> dict[str, Any] | None:
    if not isinstance(envelope, dict) or any(k not in envelope for k in ENVELOPE_KEYS):
        return _problem("信封缺少必需字段", f"envelope lacks one of {ENVELOPE_KEYS}", None)
    if envelope["service"] != upstream:
        return _problem(
            "信封来自其他服务",
            f"envelope of {envelope['service']!r} on the inbox of {upstream!r}",
            "service",
        )
    position, prev = envelope["position"], envelope["prev"]
    if not _is_int(position) or position <= 0:
        return _problem("信封位置无效", "envelope position must be a positive integer", "position")
    if prev is not None and not (_is_int(prev) and 0 < prev < position):
        return _problem(
            "信封的前一位置（prev）与位置不一致",
            "envelope prev must be empty or a positive integer below its position",
            "prev",
        )
    if not (
        isinstance(envelope["contract"], str)
        and _is_int(envelope["version"])
        and isinstance(envelope["data"], dict)
    ):
        return _problem(
            "信封的契约、版本或数据无效",
            "envelope contract, version or data has the wrong type",
            "contract",
        )
    return None


def _problem(zh: str, en: str, field: str | None) -> dict[str, Any]:
    return {"code": "malformed_envelope", "message": zh, "message_en": en, "field": field}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
