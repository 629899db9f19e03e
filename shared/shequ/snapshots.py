"""Snapshots are checked against the events before they are believed (ADR 0017).

A snapshot row is not an event: it is not sealed, and anyone who can write to the database can
edit one, or insert one at any version, and change what the service serves without touching
the sealed log. So a snapshot is only a cache of what the events say:

* ``CheckedSnapshotStore`` (every service's snapshot store, ``ServiceApplication``) folds the
  aggregate from its events up to the snapshot's version the first time this process meets a
  snapshot row, and compares the states. A snapshot that differs is ignored (the repository
  loads the aggregate from its events alone), logged once, and counted in
  ``shequ_snapshots_refused_total``. The verdict on a row, and every row this process put
  itself, is remembered by the row's digest, so the next loads cost one SHA-256; an edit
  changes the digest and the row is checked again.
* ``shequ audit verify`` checks every snapshot row the same way (``check_snapshot_rows``) and
  names each bad one, ``snapshot_forged``.

The comparison is on the decoded state (the aggregate's attributes), never on the snapshot's
own ``timestamp``, which records when it was taken.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    DatetimeAsISO,
    DecimalAsStr,
    EventStore,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteApplicationRecorder

from shequ.metrics import SNAPSHOTS_REFUSED
from shequ.recorders import raw_query

log = logging.getLogger(__name__)
_Raw = SQLiteAggregateRecorder | PostgresAggregateRecorder

# Verdicts on snapshot rows this process has checked or put, by digest: an edited row misses.
REMEMBERED = 10_000


def same_state(mapper: Mapper[Any], stored: StoredEvent, aggregate: Any) -> bool:
    """Whether a stored snapshot holds exactly the state of ``aggregate`` (folded from the
    events up to the snapshot's version). A row that cannot be decoded holds no such state."""
    if (
        aggregate is None
        or aggregate.version != stored.originator_version
        or aggregate.id != stored.originator_id
    ):
        return False
    try:
        snapshot = mapper.to_domain_event(stored)
    except Exception:  # noqa: BLE001 - whatever was written, it is not a snapshot we took
        return False
    if not isinstance(snapshot, CanSnapshotAggregate):
        return False
    expected = type(snapshot).take(aggregate)
    # Through the transcoder, as the stored state went: tuples become lists, and so on.
    transcoder = mapper.transcoder
    return bool(
        snapshot.topic == expected.topic
        and snapshot.state == transcoder.decode(transcoder.encode(expected.state))
    )


def fold(events: Iterable[Any], aggregate: Any = None) -> Any:
    """The aggregate the events make, from ``aggregate`` (None: from nothing)."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


def _digest(stored: StoredEvent) -> bytes:
    return hashlib.sha256(stored.topic.encode() + b"\0" + bytes(stored.state)).digest()


class CheckedSnapshotStore(EventStore[UUID]):
    """A snapshot store that serves a snapshot only if the events make the same state."""

    def __init__(
        self,
        mapper: Mapper[UUID],
        recorder: AggregateRecorder,
        events: EventStore[UUID],
        service: str,
    ) -> None:
        super().__init__(mapper, recorder)
        self.events = events
        self.service = service
        # (aggregate id, version) -> (digest of the row, whether it holds the events' state)
        self._verdicts: dict[tuple[Any, int], tuple[bytes, bool]] = {}
        self._lock = threading.Lock()

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> Any:
        stored = [self.mapper.to_stored_event(e) for e in domain_events]
        result = self.recorder.insert_events(stored, **kwargs)
        for row in stored:  # taken by this process from an aggregate it loaded: checked
            self._remember(row, True)
        return result

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[Any]:
        rows = self.recorder.select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        return (self.mapper.to_domain_event(row) for row in rows if self._believed(row))

    def _believed(self, row: StoredEvent) -> bool:
        key, digest = (row.originator_id, row.originator_version), _digest(row)
        with self._lock:
            verdict = self._verdicts.get(key)
        if verdict is not None and verdict[0] == digest:
            return verdict[1]
        aggregate = fold(
            self.events.get(
                row.originator_id,  # type: ignore[arg-type]
                lte=row.originator_version,
            )
        )
        genuine = same_state(self.mapper, row, aggregate)
        self._remember(row, genuine)
        if not genuine:  # once per row and process: a forged row is not checked again
            SNAPSHOTS_REFUSED.labels(service=self.service).inc()
            log.error(
                "snapshot_forged: the snapshot of %s at version %s differs from the state "
                "its events make; ignored, the aggregate is loaded from its events; run "
                "shequ audit verify",
                row.originator_id,
                row.originator_version,
            )
        return genuine

    def _remember(self, row: StoredEvent, genuine: bool) -> None:
        with self._lock:
            if len(self._verdicts) >= REMEMBERED:
                self._verdicts.clear()
            self._verdicts[(row.originator_id, row.originator_version)] = (_digest(row), genuine)


@dataclass(frozen=True)
class SnapshotCheck:
    """Every snapshot row of a service, checked against its events (for ``verify``)."""

    checked: int
    forged: list[tuple[str, int]]  # (aggregate id, version), in id and version order


def check_snapshot_rows(service: str, events: ApplicationRecorder) -> SnapshotCheck:
    """Check every snapshot row beside ``events`` (read raw) against the stored events;
    read-only.

    Only aggregates that have snapshots are replayed, each once up to its newest snapshot.
    The service's package (``<service>.application``) is imported, if installed, so that its
    topics resolve. An event that cannot be decoded raises (verify cannot judge: exit 2); a
    snapshot that cannot be decoded is forged.
    """
    rows = _snapshot_rows(_snapshot_recorder(events))
    if rows:
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{service}.application")
    mapper = _mapper()
    forged: list[tuple[str, int]] = []
    by_aggregate: dict[Any, list[StoredEvent]] = {}
    for row in rows:
        by_aggregate.setdefault(row.originator_id, []).append(row)
    for originator_id, snapshots in by_aggregate.items():
        aggregate, upto = None, 0
        stream = iter(events.select_events(originator_id, lte=snapshots[-1].originator_version))
        for row in snapshots:
            todo = []
            while upto < row.originator_version and (stored := next(stream, None)):
                upto = stored.originator_version
                todo.append(mapper.to_domain_event(stored))
            aggregate = fold(todo, aggregate)
            if not same_state(mapper, row, aggregate):
                forged.append((str(originator_id), row.originator_version))
    return SnapshotCheck(len(rows), forged)


def _snapshot_recorder(events: ApplicationRecorder) -> _Raw:
    """The snapshots table beside an events table, never created (eventsourcing names it
    ``stored_snapshots`` beside ``stored_events``, ``<app>_snapshots`` beside ``<app>_events``)."""
    table = events.events_table_name.removesuffix("events") + "snapshots"  # type: ignore[attr-defined]
    if isinstance(events, SQLiteApplicationRecorder):
        return SQLiteAggregateRecorder(events.datastore, table)
    assert isinstance(events, PostgresApplicationRecorder)
    return PostgresAggregateRecorder(events.datastore, events_table_name=table)


def _snapshot_rows(recorder: _Raw) -> list[StoredEvent]:
    """Every snapshot row as stored, by aggregate id and version; none if no table."""
    if isinstance(recorder, SQLiteAggregateRecorder):
        exists = raw_query(
            recorder,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
            [recorder.events_table_name],
            table=False,
        )
    else:
        exists = raw_query(
            recorder, "SELECT to_regclass(%s) AS name", [_qualified(recorder)], table=False
        )
    if not exists or exists[0]["name"] is None:
        return []
    found = raw_query(
        recorder,
        "SELECT originator_id, originator_version, topic, state "
        "FROM {table} ORDER BY originator_id, originator_version",
        [],
    )
    return [
        StoredEvent(
            originator_id=_uuid(row["originator_id"]),
            originator_version=row["originator_version"],
            topic=row["topic"] or "",
            state=bytes(row["state"] or b""),
        )
        for row in found
    ]


def _qualified(recorder: PostgresAggregateRecorder) -> str:
    return f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'


def _uuid(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            return value  # not a UUID: written by hand; it folds to nothing, so it is forged
    return value


def _mapper() -> Mapper[Any]:
    """The mapper every service's application uses: JSON with eventsourcing's default
    transcodings (``Application.register_transcodings``), no compression, no cipher."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


__all__ = ["CheckedSnapshotStore", "SnapshotCheck", "check_snapshot_rows", "fold", "same_state"]
